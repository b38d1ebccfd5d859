/** The hub's store: entities, migrations, DataSource options and the record store. */
export * from './entities';
export { MIGRATIONS } from './migrations';
export {
  databaseKind,
  dataSourceOptions,
  redactDatabaseUrl,
  runMigrations,
  type DatabaseKind,
} from './data-source.factory';
export { normalizeInstant, toInstant, type Instant } from './instant';
export {
  contentHash,
  RecordStore,
  type IngestContext,
  type IngestResult,
  type RecordQueryOptions,
  type StoredRecord,
} from './record.store';
export { PROJECTIONS, type Projection } from './record-projection.mapper';
export { isStoreError, StoreError, type StoreErrorCode } from './store.error';
export { isSqlite, runInTransaction, withTransaction } from './transaction';
