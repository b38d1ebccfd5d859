'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
exports.DB_KINDS = void 0;
exports.createTestDatabase = createTestDatabase;
exports.testDataSource = testDataSource;
exports.dropTestDataSource = dropTestDataSource;
/**
 * Databases for tests: an in-memory SQLite, or a PostgreSQL database of its own per call
 * (`audit_hub_test_<jest worker>_<random>`), so parallel workers and test files never share state
 * (stack.md). PostgreSQL runs on 127.0.0.1:5432 with trust auth; the admin URL can be overridden
 * with AUDIT_HUB_TEST_POSTGRES_URL.
 */
const node_crypto_1 = require('node:crypto');
const pg_1 = require('pg');
const typeorm_1 = require('typeorm');
const data_source_factory_1 = require('../../apps/hub/src/store/data-source.factory');
exports.DB_KINDS = ['sqlite', 'postgres'];
/** Admin connections to try, in order: role `postgres`, else `root`; database `postgres`, else `test`. */
function adminUrls() {
  const override = process.env.AUDIT_HUB_TEST_POSTGRES_URL;
  if (override) return [override];
  const urls = [];
  for (const role of ['postgres', 'root']) {
    for (const db of ['postgres', 'test']) urls.push(`postgres://${role}@127.0.0.1:5432/${db}`);
  }
  return urls;
}
async function adminClient() {
  const errors = [];
  for (const url of adminUrls()) {
    const client = new pg_1.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      return { client, url };
    } catch (err) {
      errors.push(`${(0, data_source_factory_1.redactDatabaseUrl)(url)}: ${err.message}`);
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`test database: cannot reach PostgreSQL as an admin role:\n  ${errors.join('\n  ')}`);
}
/** Test databases created here, with the admin URL that can drop them. */
const created = new WeakMap();
/** An empty PostgreSQL database of its own, for a hub or a process under test to migrate and use. */
async function createTestDatabase() {
  const worker = process.env.JEST_WORKER_ID ?? '0';
  const database = `audit_hub_test_${worker}_${(0, node_crypto_1.randomBytes)(4).toString('hex')}`;
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
async function dropDatabase(adminUrl, database) {
  const client = new pg_1.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
/** A DataSource on a fresh, migrated database. Drop it with dropTestDataSource(). */
async function testDataSource(kind) {
  if (kind === 'sqlite') {
    const ds = new typeorm_1.DataSource((0, data_source_factory_1.dataSourceOptions)('sqlite::memory:'));
    await ds.initialize();
    await (0, data_source_factory_1.runMigrations)(ds);
    return ds;
  }
  const { url, database, adminUrl } = await createTestDatabase();
  const ds = new typeorm_1.DataSource((0, data_source_factory_1.dataSourceOptions)(url));
  created.set(ds, { database, adminUrl });
  try {
    await ds.initialize();
    await (0, data_source_factory_1.runMigrations)(ds);
  } catch (err) {
    await dropTestDataSource(ds);
    throw err;
  }
  return ds;
}
/** Closes the DataSource and, for PostgreSQL, drops its database. */
async function dropTestDataSource(ds) {
  if (!ds) return;
  if (ds.isInitialized) await ds.destroy();
  const db = created.get(ds);
  if (!db) return;
  created.delete(ds);
  await dropDatabase(db.adminUrl, db.database);
}
//# sourceMappingURL=database.js.map
