import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/*
 * Column shapes, frozen with this migration (the same helpers as 1700000000000-initial, copied so
 * that a later change there cannot alter what this one creates).
 */
const column = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type,
  isNullable: false,
  ...extra,
});
const varchar = (name: string, length: number, nullable = false) =>
  column(name, 'varchar', { length: String(length), isNullable: nullable });
const instant = (name: string, nullable = false) => varchar(name, 30, nullable);
const json = (name: string, nullable = false) => column(name, 'text', { isNullable: nullable });
const bool = (name: string) => column(name, 'boolean');
const int = (name: string, nullable = false) => column(name, 'integer', { isNullable: nullable });
const bigint = (name: string) => column(name, 'bigint');
const key = (name: string, length: number) =>
  column(name, 'varchar', { length: String(length), isPrimary: true });
const index = (name: string, columnNames: string[]) => new TableIndex({ name, columnNames });

const CONNECTOR = 100;
const EXTERNAL_ID = 512;
const PERSON_KEY = 320;

/** Projection tables share their key and bookkeeping columns. */
const projection = (name: string, columns: TableColumnOptions[], indices: TableIndex[]) =>
  new Table({
    name,
    columns: [
      key('connector', CONNECTOR),
      key('external_id', EXTERNAL_ID),
      int('record_id'),
      ...columns,
      bool('deleted'),
    ],
    indices,
  });

/** Built afresh for every run: the schema builder annotates the Table objects it is given. */
const tables = (): Table[] => [
  projection(
    'entitlement',
    [
      varchar('holder', 255),
      json('holder_aliases'),
      varchar('resource', 512),
      varchar('via', 255, true),
      json('permissions', true),
      instant('expires_at', true),
      varchar('holder_type', 20),
      bool('is_production'),
    ],
    [
      index('IDX_entitlement_holder', ['holder']),
      index('IDX_entitlement_resource', ['resource', 'is_production']),
      index('IDX_entitlement_production', ['is_production', 'expires_at']),
    ],
  ),
  projection(
    'group_membership',
    [varchar('grp', 255), varchar('member', 255), varchar('source', CONNECTOR)],
    [
      index('IDX_group_membership_group', ['grp', 'member']),
      index('IDX_group_membership_member', ['member']),
    ],
  ),
  projection(
    'config_item',
    [
      varchar('name', 255),
      varchar('class', 100),
      varchar('version', 255, true),
      varchar('environment', 100, true),
      varchar('install_status', 20),
      int('criticality', true),
      varchar('owner_group', 255, true),
      varchar('service', 255, true),
    ],
    [
      index('IDX_config_item_name', ['name']),
      index('IDX_config_item_service', ['service', 'install_status']),
    ],
  ),
  projection(
    'quality_gate',
    [
      varchar('project_key', 400),
      varchar('service', 255, true),
      varchar('revision', 64, true),
      instant('analysed_at'),
      varchar('status', 10),
      json('conditions', true),
    ],
    [
      index('IDX_quality_gate_revision', ['revision']),
      index('IDX_quality_gate_service', ['service', 'analysed_at']),
    ],
  ),
  projection(
    'build',
    [
      varchar('job', 512),
      int('number'),
      varchar('result', 20),
      instant('started_at'),
      bigint('duration_ms'),
      instant('finished_at'),
      varchar('commit_sha', 64, true),
      json('parameters'),
      json('causes'),
      json('artifacts'),
      json('test_report', true),
      varchar('service', 255, true),
    ],
    [index('IDX_build_job', ['job', 'number']), index('IDX_build_commit', ['commit_sha'])],
  ),
  new Table({
    name: 'person',
    columns: [
      key('person_key', PERSON_KEY),
      varchar('display_name', 255, true),
      varchar('email', PERSON_KEY, true),
      bool('active'),
      bool('known'),
      bool('service_account'),
      varchar('source_connector', CONNECTOR, true),
    ],
    indices: [index('IDX_person_flags', ['known', 'active', 'service_account'])],
  }),
  new Table({
    name: 'person_name',
    columns: [key('name_lower', PERSON_KEY), varchar('person_key', PERSON_KEY)],
    indices: [index('IDX_person_name_person', ['person_key'])],
  }),
  new Table({
    name: 'role_member',
    columns: [key('role', 100), key('person_key', PERSON_KEY), key('via', 400)],
    indices: [index('IDX_role_member_person', ['person_key', 'role'])],
  }),
  new Table({
    name: 'service_info',
    columns: [
      key('name', 255),
      varchar('team', 255, true),
      varchar('criticality', 10, true),
      int('cmdb_criticality', true),
      bool('high_impact'),
      bool('personal_data'),
      varchar('cmdb_item', 64, true),
      varchar('gitlab_key', 512, true),
      varchar('jenkins_key', 512, true),
      varchar('sonarqube_key', 400, true),
      varchar('cmdb_key', 255, true),
    ],
  }),
];

/**
 * Projections of the access, CMDB, quality-gate and build records, and the derived model the
 * access and segregation-of-duties controls join: persons and their names, role members, services.
 */
export class DerivedModel1700000000001 implements MigrationInterface {
  name = 'DerivedModel1700000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) {
      await queryRunner.createTable(table, false, false, true);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) {
      await queryRunner.dropTable(table.name, false, false, true);
    }
  }
}
