import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { databaseKind, dataSourceOptions, redactDatabaseUrl, runMigrations } from './data-source.factory';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { StoreError } from './store.error';

describe('dataSourceOptions', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-hub-store-'));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens sqlite:PATH relative to the working directory, creating its folder', () => {
    jest.spyOn(process, 'cwd').mockReturnValue(dir);

    const options = dataSourceOptions('sqlite:./data/audit-hub.sqlite');

    expect(options).toMatchObject({
      type: 'better-sqlite3',
      database: join(dir, 'data', 'audit-hub.sqlite'),
    });
    expect(existsSync(join(dir, 'data'))).toBe(true);
  });

  it('never runs migrations or synchronizes implicitly, and carries every entity and migration', () => {
    for (const url of ['sqlite::memory:', 'postgres://audit@db.internal:5432/audit']) {
      expect(dataSourceOptions(url)).toMatchObject({
        migrationsRun: false,
        synchronize: false,
        logging: false,
        entities: ENTITIES,
        migrations: MIGRATIONS,
      });
    }
    expect(dataSourceOptions('sqlite::memory:', { logging: true }).logging).toBe(true);
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(dataSourceOptions('postgres://audit:pw@127.0.0.1:5432/audit')).toMatchObject({
      type: 'postgres',
      url: 'postgres://audit:pw@127.0.0.1:5432/audit',
    });
    expect(databaseKind('postgresql://audit@db/audit')).toBe('postgres');
    expect(databaseKind('sqlite::memory:')).toBe('sqlite');
  });

  it('turns PostgreSQL JIT off for its sessions, unless the URL turns it back on', async () => {
    const admin = process.env.AUDIT_HUB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const jit = async (url: string) => {
      const ds = new DataSource(dataSourceOptions(url));
      await ds.initialize();
      try {
        return (await ds.query('SHOW jit'))[0].jit;
      } finally {
        await ds.destroy();
      }
    };
    expect(await jit(admin)).toBe('off');
    const on = new URL(admin);
    on.searchParams.set('options', '-c jit=on');
    expect(await jit(on.toString())).toBe('on');
  });

  it('refuses other URLs with an error that names the URL without its password', () => {
    const attempt = () => dataSourceOptions('mysql://audit:s3cr3t@db.internal/audit');

    expect(attempt).toThrow(StoreError);
    expect(attempt).toThrow('storage.database "mysql://audit:***@db.internal/audit" is not supported');
    expect(attempt).not.toThrow(/s3cr3t/);
    expect(() => dataSourceOptions('postgres://audit:s3cr3t@bad host/audit')).toThrow(
      'storage.database "postgres://audit:***@bad host/audit" is not a valid URL',
    );
    expect(() => dataSourceOptions('sqlite:')).toThrow('sqlite: needs a file path');
    expect(() => dataSourceOptions('./data/audit.sqlite')).toThrow(/use sqlite:PATH .* or postgres:\/\//);
  });

  it('redacts passwords holding @ or / and password parameters', () => {
    expect(redactDatabaseUrl('postgres://audit:p@ss/w0rd@db:5432/audit')).toBe(
      'postgres://audit:***@db:5432/audit',
    );
    expect(redactDatabaseUrl('postgres://db/audit?user=audit&password=s3cr3t&ssl=true')).toBe(
      'postgres://db/audit?user=audit&password=***&ssl=true',
    );
    expect(redactDatabaseUrl('postgres://audit@db/audit')).toBe('postgres://audit@db/audit');
  });

  it('opens a SQLite file in WAL mode with foreign keys and a busy timeout, and migrates it', async () => {
    const ds = new DataSource(dataSourceOptions(`sqlite:${join(dir, 'nested', 'hub.sqlite')}`));
    await ds.initialize();
    try {
      expect(await runMigrations(ds)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await runMigrations(ds)).toEqual([]);
      expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await ds.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await ds.query('PRAGMA busy_timeout')).toEqual([{ timeout: 15000 }]);
    } finally {
      await ds.destroy();
    }
  });
});
