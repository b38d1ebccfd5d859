import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { StoreError } from './store.error';

export type DatabaseKind = 'postgres' | 'sqlite';

/** How long a SQLite writer waits for another process's lock before failing (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/**
 * TypeORM options for `storage.database`: `sqlite:PATH` (relative to the working directory; its
 * folder is created), `sqlite::memory:` (tests), or `postgres://…` / `postgresql://…`.
 * Migrations never run implicitly: `migrate`, `serve` and the demo call runMigrations().
 */
export function dataSourceOptions(url: string, opts: { logging?: boolean } = {}): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: opts.logging ?? false,
  } as const;
  const kind = databaseKind(url);
  if (kind === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    const inMemory = path === ':memory:';
    const database = inMemory ? ':memory:' : resolve(process.cwd(), path);
    if (!inMemory) mkdirSync(dirname(database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      // WAL lets the API read while a run writes; TypeORM also turns `foreign_keys` on for every
      // better-sqlite3 connection. An in-memory database has no journal file to switch.
      enableWAL: !inMemory,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
    };
  }
  // PostgreSQL's JIT compiles each costly-looking query before running it; the hub's set-based
  // controls are many such queries that run for seconds at most, so compiling costs more than it
  // saves (bench/evaluate-scale.js at a million deployments: 49 s of control queries with it, 39 s
  // without). Turned off for the hub's sessions; `?options=-c jit=on` in the URL wins.
  const fromUrl = new URL(url).searchParams.get('options');
  return {
    ...common,
    type: 'postgres',
    url,
    applicationName: 'audit-hub',
    extra: { options: ['-c jit=off', fromUrl].filter(Boolean).join(' ') },
  };
}

/** The database a URL names; a StoreError (naming the URL without its password) otherwise. */
export function databaseKind(url: string): DatabaseKind {
  if (/^sqlite:/i.test(url)) {
    if (url.length > 'sqlite:'.length) return 'sqlite';
    throw new StoreError(
      'invalid_database_url',
      `storage.database "${url}": sqlite: needs a file path, e.g. sqlite:./data/audit-hub.sqlite`,
    );
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
      return 'postgres';
    } catch {
      throw new StoreError(
        'invalid_database_url',
        `storage.database "${redactDatabaseUrl(url)}" is not a valid URL`,
      );
    }
  }
  throw new StoreError(
    'invalid_database_url',
    `storage.database "${redactDatabaseUrl(url)}" is not supported: use sqlite:PATH (e.g. sqlite:./data/audit-hub.sqlite) or postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
  );
}

/** The URL with the password of its user-info and any `password=` parameter replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  let redacted = url;
  const scheme = redacted.indexOf('://');
  if (scheme >= 0) {
    // The last `@` ends the user-info: a password may itself hold an unencoded `@` or `/`.
    const query = redacted.indexOf('?', scheme);
    const at = redacted.lastIndexOf('@', query >= 0 ? query : undefined);
    if (at > scheme) {
      const userInfo = redacted.slice(scheme + 3, at);
      const colon = userInfo.indexOf(':');
      if (colon >= 0)
        redacted = `${redacted.slice(0, scheme + 3)}${userInfo.slice(0, colon)}:***${redacted.slice(at)}`;
    }
  }
  return redacted.replace(/([?&](?:password|pass|pwd|sslpassword)=)[^&]*/gi, '$1***');
}

/** Applies pending migrations in one transaction; returns the names of those applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'all' });
  return applied.map((migration) => migration.name);
}
