/**
 * Databases for tests: an in-memory SQLite, or a PostgreSQL database of its own per call
 * (`audit_hub_test_<jest worker>_<random>`), so parallel workers and test files never share state
 * (stack.md). PostgreSQL runs on 127.0.0.1:5432 with trust auth; the admin URL can be overridden
 * with AUDIT_HUB_TEST_POSTGRES_URL.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  redactDatabaseUrl,
  runMigrations,
} from '../../apps/hub/src/store/data-source.factory';

export const DB_KINDS = ['sqlite', 'postgres'] as const;
export type DbKind = (typeof DB_KINDS)[number];

/** Admin connections to try, in order: role `postgres`, else `root`; database `postgres`, else `test`. */
function adminUrls(): string[] {
  const override = process.env.AUDIT_HUB_TEST_POSTGRES_URL;
  if (override) return [override];
  const urls: string[] = [];
  for (const role of ['postgres', 'root']) {
    for (const db of ['postgres', 'test']) urls.push(`postgres://${role}@127.0.0.1:5432/${db}`);
  }
  return urls;
}

async function adminClient(): Promise<{ client: Client; url: string }> {
  const errors: string[] = [];
  for (const url of adminUrls()) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      return { client, url };
    } catch (err) {
      errors.push(`${redactDatabaseUrl(url)}: ${(err as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`test database: cannot reach PostgreSQL as an admin role:\n  ${errors.join('\n  ')}`);
}

/** Test databases created here, with the admin URL that can drop them. */
const created = new WeakMap<DataSource, { database: string; adminUrl: string }>();

/** An empty PostgreSQL database of its own, for a hub or a process under test to migrate and use. */
export async function createTestDatabase(): Promise<{
  url: string;
  database: string;
  adminUrl: string;
  drop(): Promise<void>;
}> {
  const worker = process.env.JEST_WORKER_ID ?? '0';
  const database = `audit_hub_test_${worker}_${randomBytes(4).toString('hex')}`;
  const { client, url: adminUrl } = await adminClient();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return { url: url.toString(), database, adminUrl, drop: () => dropDatabase(adminUrl, database) };
}

async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A DataSource on a fresh, migrated database. Drop it with dropTestDataSource(). */
export async function testDataSource(kind: DbKind): Promise<DataSource> {
  if (kind === 'sqlite') {
    const ds = new DataSource(dataSourceOptions('sqlite::memory:'));
    await ds.initialize();
    await runMigrations(ds);
    return ds;
  }
  const { url, database, adminUrl } = await createTestDatabase();
  const ds = new DataSource(dataSourceOptions(url));
  created.set(ds, { database, adminUrl });
  try {
    await ds.initialize();
    await runMigrations(ds);
  } catch (err) {
    await dropTestDataSource(ds);
    throw err;
  }
  return ds;
}

/** Closes the DataSource and, for PostgreSQL, drops its database. */
export async function dropTestDataSource(ds: DataSource | undefined): Promise<void> {
  if (!ds) return;
  if (ds.isInitialized) await ds.destroy();
  const db = created.get(ds);
  if (!db) return;
  created.delete(ds);
  await dropDatabase(db.adminUrl, db.database);
}
