import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/*
 * The HTTP API's tables: API tokens (hashed), the record of every API call, and exceptions
 * requested through the API. Column shapes are frozen with this migration, in the conventions of
 * the initial one: instants are ISO-8601 UTC strings (varchar(30)), JSON is text.
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
const text = (name: string) => column(name, 'text');
const key = (name: string, length: number) =>
  column(name, 'varchar', { length: String(length), isPrimary: true });

const tables = (): Table[] => [
  new Table({
    name: 'api_token',
    columns: [
      key('id', 36),
      varchar('name', 100),
      varchar('role', 10),
      varchar('team', 255, true),
      varchar('token_hash', 64),
      instant('created_at'),
      instant('last_used_at', true),
      instant('revoked_at', true),
    ],
    indices: [
      new TableIndex({ name: 'UQ_api_token_hash', columnNames: ['token_hash'], isUnique: true }),
      new TableIndex({ name: 'UQ_api_token_name', columnNames: ['name'], isUnique: true }),
    ],
  }),
  new Table({
    name: 'api_call',
    columns: [
      column('id', 'integer', { isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
      instant('at'),
      varchar('principal', 255, true),
      varchar('role', 10, true),
      varchar('team', 255, true),
      varchar('method', 10),
      text('path'),
      column('status', 'integer'),
      column('duration_ms', 'integer'),
    ],
    indices: [
      new TableIndex({ name: 'IDX_api_call_at', columnNames: ['at'] }),
      new TableIndex({ name: 'IDX_api_call_principal', columnNames: ['principal', 'at'] }),
    ],
  }),
  new Table({
    name: 'exception',
    columns: [
      key('id', 36),
      varchar('control', 32),
      varchar('subject', 660),
      text('reason'),
      varchar('requested_by', 255),
      varchar('team', 255, true),
      varchar('approved_by', 255, true),
      instant('approved_at', true),
      varchar('expires', 10),
      varchar('status', 10),
      varchar('closed_by', 255, true),
      instant('closed_at', true),
      instant('created_at'),
    ],
    indices: [new TableIndex({ name: 'IDX_exception_status', columnNames: ['status', 'expires'] })],
  }),
];

/** API tokens, the API call record and API-managed exceptions (interfaces.md "HTTP API"). */
export class Api1700000000004 implements MigrationInterface {
  name = 'Api1700000000004';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) await queryRunner.createTable(table, false, false, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) await queryRunner.dropTable(table.name, false, false, true);
  }
}
