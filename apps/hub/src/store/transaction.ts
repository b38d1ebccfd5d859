import type { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver shares ONE connection and query runner per DataSource: a second
 * `transaction()` started while another is in flight runs on the same connection, where SQLite
 * refuses it ("cannot start a transaction within a transaction") or it tangles with the first.
 * On SQLite, transactions are therefore queued here; every writer should go through this.
 */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

/** Runs `work` in a transaction of its own (queued per DataSource on SQLite). */
export function runInTransaction<T>(
  ds: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (!isSqlite(ds)) return ds.transaction(work);
  const previous = sqliteQueues.get(ds) ?? Promise.resolve();
  const result = previous.then(() => ds.transaction(work));
  sqliteQueues.set(
    ds,
    result.catch(() => undefined),
  );
  return result;
}

/**
 * Runs `work` in the caller's transaction when `manager` is in one (records and cursor commit
 * together), else in a transaction of its own.
 */
export function withTransaction<T>(
  ds: DataSource,
  manager: EntityManager | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager?.queryRunner?.isTransactionActive) return work(manager);
  return runInTransaction(manager?.dataSource ?? ds, work);
}
