import { DataSource } from 'typeorm';
export declare const DB_KINDS: readonly ['sqlite', 'postgres'];
export type DbKind = (typeof DB_KINDS)[number];
/** An empty PostgreSQL database of its own, for a hub or a process under test to migrate and use. */
export declare function createTestDatabase(): Promise<{
  url: string;
  database: string;
  adminUrl: string;
  drop(): Promise<void>;
}>;
/** A DataSource on a fresh, migrated database. Drop it with dropTestDataSource(). */
export declare function testDataSource(kind: DbKind): Promise<DataSource>;
/** Closes the DataSource and, for PostgreSQL, drops its database. */
export declare function dropTestDataSource(ds: DataSource | undefined): Promise<void>;
