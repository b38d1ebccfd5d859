/**
 * A PostgreSQL cluster of the test's own (initdb into a scratch directory, on a free loopback port),
 * for fault tests that crash and restart the database server: the machine's cluster serves every
 * other test and must never be touched. The server runs as the `postgres` OS user (it refuses root),
 * with trust auth for the `postgres` role. Needs PostgreSQL's server binaries (Debian's
 * postgresql package: /usr/lib/postgresql/<major>/bin).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from './cli-process';
import { freePort } from './private-redis';

export interface PrivatePostgres {
  port: number;
  /** The `postgres` database as the `postgres` role. */
  adminUrl: string;
  /** A URL for `database` on this cluster. */
  urlOf(database: string): string;
  /** Starts the server (again) and waits until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every server process quits at once, no checkpoint — a crash. */
  crash(): Promise<void>;
  /** Stops the server (if running) and removes the cluster. */
  remove(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length) throw new Error(`private PostgreSQL: no server binaries under ${root}/<major>/bin`);
  return join(root, majors[0], 'bin');
}

/** Runs a server binary as the `postgres` user when the tests run as root, else as ourselves. */
function asPostgres(command: string, args: string[]): string {
  const root = process.getuid?.() === 0;
  return execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'audit-hub-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ctl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const running = () =>
    spawnSync(process.getuid?.() === 0 ? 'runuser' : join(bin, 'pg_ctl'), [
      ...(process.getuid?.() === 0 ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []),
      '-D',
      data,
      'status',
    ]).status === 0;
  return {
    port,
    adminUrl,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      ctl('-l', log, '-w', '-t', '120', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start');
      await eventually(() => accepts(adminUrl), 120_000, `the private PostgreSQL on port ${port}`);
    },
    async crash() {
      if (running()) ctl('-m', 'immediate', '-w', 'stop');
    },
    async remove() {
      if (running()) ctl('-m', 'immediate', '-w', 'stop');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
