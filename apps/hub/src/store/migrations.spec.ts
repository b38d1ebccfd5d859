import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { runMigrations } from './data-source.factory';
import { ENTITIES } from './entities';

import { MIGRATIONS } from './migrations';

/** Every table the entities describe: the migrations must create exactly these. */
function entityTables(ds: DataSource): string[] {
  return ENTITIES.map((entity) => ds.getMetadata(entity).tableName).sort();
}

async function existingTables(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const present: string[] = [];
    for (const table of entityTables(ds)) if (await runner.hasTable(table)) present.push(table);
    return present;
  } finally {
    await runner.release();
  }
}

describe.each(DB_KINDS)('store migrations on %s', (kind) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await testDataSource(kind);
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
  });

  it('creates every table, and nothing is left pending', async () => {
    expect(await existingTables(ds)).toEqual(entityTables(ds));
    expect(entityTables(ds)).toEqual(
      expect.arrayContaining(['record', 'deployment', 'finding', 'run', 'link']),
    );
    expect(await runMigrations(ds)).toEqual([]);
  });

  it('creates exactly the schema the entities describe (columns, types, keys, indexes)', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('creates the partial unique index that allows one current version per record', async () => {
    const runner = ds.createQueryRunner();
    try {
      const table = await runner.getTable('record');
      const index = table?.indices.find((candidate) => candidate.name === 'UQ_record_current');
      expect(index).toMatchObject({ isUnique: true, columnNames: ['connector', 'kind', 'external_id'] });
      expect(index?.where).toMatch(/valid_to"? IS NULL/i);
    } finally {
      await runner.release();
    }
  });

  it('down() of every migration, newest first, removes every table, and up() applies again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'all' });
    expect(await existingTables(ds)).toEqual([]);
    expect(await runMigrations(ds)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await existingTables(ds)).toEqual(entityTables(ds));
  });
});
