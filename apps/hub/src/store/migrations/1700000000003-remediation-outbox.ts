import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/*
 * The remediation outbox and the tickets it keeps. Column shapes are frozen with this migration,
 * in the conventions of the initial one: instants are ISO-8601 UTC strings (varchar(30)), JSON is text.
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
const text = (name: string, nullable = false) => column(name, 'text', { isNullable: nullable });
const int = (name: string) => column(name, 'integer');

const tables = (): Table[] => [
  new Table({
    name: 'remediation_action',
    columns: [
      column('id', 'integer', { isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
      varchar('ticket_group_key', 700),
      varchar('finding_key', 700, true),
      varchar('marker', 64),
      varchar('action', 30),
      text('payload'),
      instant('created_at'),
      varchar('run_id', 36, true),
      varchar('status', 10),
      int('attempts'),
      instant('next_attempt_at', true),
      text('last_error', true),
      instant('sent_at', true),
      int('steps_done'),
      instant('create_attempted_at', true),
      instant('lease_until', true),
    ],
    indices: [
      new TableIndex({ name: 'IDX_remediation_action_status', columnNames: ['status', 'next_attempt_at'] }),
      new TableIndex({ name: 'IDX_remediation_action_group', columnNames: ['ticket_group_key', 'id'] }),
    ],
  }),
  new Table({
    name: 'remediation_ticket',
    columns: [
      column('group_key', 'varchar', { length: '700', isPrimary: true }),
      varchar('tracker', 100),
      varchar('ticket_key', 255),
      text('url', true),
      varchar('state', 10),
      varchar('marker', 64),
      instant('created_at'),
      instant('updated_at'),
      instant('last_reminder_at', true),
    ],
  }),
];

/** The transactional outbox of ticket actions (design.md "Remediate") and the tickets it filed. */
export class RemediationOutbox1700000000003 implements MigrationInterface {
  name = 'RemediationOutbox1700000000003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) await queryRunner.createTable(table, false, false, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) await queryRunner.dropTable(table.name, false, false, true);
  }
}
