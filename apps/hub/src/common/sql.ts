/**
 * Named-parameter SQL over TypeORM that runs unchanged on PostgreSQL and SQLite: `:name` and
 * `:...list` placeholders become the driver's own, values are always bound, never interpolated.
 * Booleans are compared with the literals TRUE/FALSE (both databases accept them), since SQLite
 * cannot bind a boolean parameter.
 */
import type { DataSource, EntityManager } from 'typeorm';

export type Queryable = DataSource | EntityManager;

export async function sqlQuery<T = Record<string, unknown>>(
  db: Queryable,
  sql: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const driver = 'driver' in db ? db.driver : (db as EntityManager).connection.driver;
  const [text, values] = driver.escapeQueryWithParameters(sql, params);
  return (await db.query(text, values)) as T[];
}

/** Splits a list for IN (...) clauses, which both drivers cap. */
export function chunk<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
