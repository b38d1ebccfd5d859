/**
 * Many rows in one statement with one bound parameter: the rows as a JSON array, unpacked by the
 * database (PostgreSQL `json_populate_recordset`, SQLite `json_each`). An ORM insert binds every
 * value on its own and builds the statement in JavaScript, which costs more than the database's
 * own work at a hundred thousand findings a run; this does not. Optionally an upsert: on a
 * conflict of `conflict`, the `update` columns take the new row's values.
 *
 * Rows are keyed by column name and hold what the column stores (JSON columns as their text).
 */
import type { Queryable } from '../common/sql';
import { chunk } from '../common/sql';

export interface BulkWriteOptions {
  /** Upsert: the unique columns a conflict is on, and the columns a conflicting row updates. */
  upsert?: { conflict: string[]; update: string[] };
  /** Rows per statement (default 2,000). */
  rowsPerStatement?: number;
}

export async function bulkWrite(
  db: Queryable,
  table: string,
  columns: string[],
  rows: Record<string, unknown>[],
  options: BulkWriteOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  for (const name of [table, ...columns]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
      throw new Error(`bulkWrite: "${name}" is not a plain column or table name`);
  }
  const driver = 'driver' in db ? db.driver : db.connection.driver;
  const postgres = driver.options.type === 'postgres';
  const q = (name: string) => `"${name}"`;
  const list = columns.map(q).join(', ');
  const source = postgres
    ? `SELECT ${list} FROM json_populate_recordset(NULL::${q(table)}, $1::json)`
    : // SQLite needs a WHERE before ON CONFLICT when inserting from a SELECT.
      `SELECT ${columns.map((c) => `json_extract(value, '$.${c}')`).join(', ')} FROM json_each(?) WHERE true`;
  const conflict = options.upsert
    ? ` ON CONFLICT (${options.upsert.conflict.map(q).join(', ')}) DO UPDATE SET ${options.upsert.update
        .map((c) => `${q(c)} = excluded.${q(c)}`)
        .join(', ')}`
    : '';
  const sql = `INSERT INTO ${q(table)} (${list}) ${source}${conflict}`;
  for (const part of chunk(rows, options.rowsPerStatement ?? 2000)) {
    await db.query(sql, [JSON.stringify(part.map((row) => pick(row, columns)))]);
  }
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}
