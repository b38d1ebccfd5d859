import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/*
 * The evidence ledger (apps/hub/src/evidence/): entries, checkpoints and the head row appenders
 * lock. Column shapes are frozen with this migration, in the style of the initial one: instants
 * are ISO-8601 UTC strings, JSON is text.
 */
const column = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type,
  isNullable: false,
  ...extra,
});
const varchar = (name: string, length: number, nullable = false) =>
  column(name, 'varchar', { length: String(length), isNullable: nullable });
const instant = (name: string) => varchar(name, 30);
const text = (name: string, nullable = false) => column(name, 'text', { isNullable: nullable });
const int = (name: string, nullable = false) => column(name, 'integer', { isNullable: nullable });
const RUN_ID = 36;
const HASH = 64;
/** SHA-256 of nothing yet: the `prev_hash` of entry 1 and the head's `last_hash` when empty. */
const GENESIS = '0'.repeat(HASH);

const tables = (): Table[] => [
  new Table({
    name: 'evidence_entry',
    columns: [
      column('seq', 'integer', { isPrimary: true }),
      instant('at'),
      varchar('run_id', RUN_ID, true),
      varchar('type', 20),
      text('subject', true),
      text('payload'),
      varchar('prev_hash', HASH),
      varchar('hash', HASH),
    ],
    indices: [
      new TableIndex({ name: 'IDX_evidence_entry_at', columnNames: ['at'] }),
      new TableIndex({ name: 'IDX_evidence_entry_type', columnNames: ['type', 'seq'] }),
    ],
  }),
  new Table({
    name: 'evidence_checkpoint',
    columns: [
      column('id', 'integer', { isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
      varchar('run_id', RUN_ID, true),
      int('tree_size'),
      varchar('root_hash', HASH),
      text('signature', true),
      varchar('key_id', HASH, true),
      text('public_key', true),
      int('prev_checkpoint_id', true),
      instant('created_at'),
    ],
    indices: [new TableIndex({ name: 'IDX_evidence_checkpoint_size', columnNames: ['tree_size'] })],
  }),
  new Table({
    name: 'evidence_head',
    columns: [
      column('id', 'integer', { isPrimary: true }),
      int('size'),
      varchar('last_hash', HASH),
      text('frontier'),
    ],
  }),
];

const GUARDED = ['evidence_entry', 'evidence_checkpoint'];

/**
 * PostgreSQL: one trigger function refuses UPDATE, DELETE and TRUNCATE on the ledger's tables;
 * DELETE passes only inside the retention pruning transaction, which sets
 * `SET LOCAL audit_hub.pruning = 'on'` (EvidenceLedger.prune).
 */
const POSTGRES_UP = [
  `CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit_hub.pruning', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'evidence ledger: % on % refused: the ledger is append-only (only retention pruning deletes)',
    TG_OP, TG_TABLE_NAME;
END
$$`,
  ...GUARDED.flatMap((table) => [
    `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION evidence_append_only()`,
    `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()`,
  ]),
];

/**
 * (A later migration that alters these tables through TypeORM's schema API on SQLite rebuilds the
 * table and loses its triggers: it must create them again.)
 *
 * SQLite has no session settings: DELETE passes only while the pruning transaction holds a row in
 * `evidence_pruning` (it inserts and deletes it). SQLite has no TRUNCATE; UPDATE is always refused.
 */
const SQLITE_UP = [
  `CREATE TABLE "evidence_pruning" ("id" integer PRIMARY KEY NOT NULL, "started_at" varchar(30) NOT NULL)`,
  ...GUARDED.flatMap((table) => [
    `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON "${table}" BEGIN SELECT RAISE(ABORT, 'evidence ledger: UPDATE on ${table} refused: the ledger is append-only'); END`,
    `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON "${table}" WHEN NOT EXISTS (SELECT 1 FROM "evidence_pruning") BEGIN SELECT RAISE(ABORT, 'evidence ledger: DELETE on ${table} refused: the ledger is append-only (only retention pruning deletes)'); END`,
  ]),
];

/** The append-only evidence ledger: entries, signed checkpoints, the head, and their guards. */
export class EvidenceLedger1700000000002 implements MigrationInterface {
  name = 'EvidenceLedger1700000000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) await queryRunner.createTable(table, false, false, true);
    await queryRunner.query(
      `INSERT INTO "evidence_head" ("id", "size", "last_hash", "frontier") VALUES (1, 0, '${GENESIS}', '[]')`,
    );
    // The guards differ by database: PostgreSQL has session settings and TRUNCATE, SQLite neither.
    const statements = isPostgres(queryRunner) ? POSTGRES_UP : SQLITE_UP;
    for (const sql of statements) await queryRunner.query(sql);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (isPostgres(queryRunner)) {
      for (const table of GUARDED) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_append_only ON "${table}"`);
        await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON "${table}"`);
      }
      await queryRunner.query(`DROP FUNCTION IF EXISTS evidence_append_only()`);
    } else {
      for (const table of GUARDED) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_update`);
        await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_delete`);
      }
      await queryRunner.query(`DROP TABLE IF EXISTS "evidence_pruning"`);
    }
    for (const table of tables().reverse()) await queryRunner.dropTable(table.name, false, false, true);
  }
}

function isPostgres(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'postgres';
}
