import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { DerivedModel1700000000001 } from './migrations/1700000000001-derived-model';

const TABLES = [
  'entitlement',
  'group_membership',
  'config_item',
  'quality_gate',
  'build',
  'person',
  'person_name',
  'role_member',
  'service_info',
];

async function existingTables(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const present: string[] = [];
    for (const table of TABLES) if (await runner.hasTable(table)) present.push(table);
    return present;
  } finally {
    await runner.release();
  }
}

describe.each(DB_KINDS)('migration 1700000000001-derived-model on %s', (kind) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await testDataSource(kind);
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
  });

  it('creates exactly the tables, columns and indexes its entities describe', async () => {
    expect(await existingTables(ds)).toEqual(TABLES);
    const diff = await ds.driver.createSchemaBuilder().log();
    const mine = diff.upQueries
      .map((query) => query.query)
      .filter((query) => TABLES.some((table) => new RegExp(`\\b${table}\\b`).test(query)));
    expect(mine).toEqual([]);
  });

  it('down() drops its tables and nothing else, and up() creates them again', async () => {
    const runner = ds.createQueryRunner();
    try {
      await new DerivedModel1700000000001().down(runner);
      expect(await existingTables(ds)).toEqual([]);
      expect(await runner.hasTable('deployment')).toBe(true);
      await new DerivedModel1700000000001().up(runner);
      expect(await existingTables(ds)).toEqual(TABLES);
    } finally {
      await runner.release();
    }
  });
});
