/**
 * A redis-server of the test's own on a free loopback port, for fault tests that kill and restart
 * Redis (the machine's shared Redis serves every other test and must never be touched). It keeps
 * nothing on disk, as the machine's does: a restart comes back empty.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import IORedis from 'ioredis';
import { eventually } from './cli-process';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  const c = new IORedis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Starts it (again) on the same port and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would, and waits until it is gone. */
  kill(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const self: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await eventually(async () => answers(port), 120_000, `redis-server on port ${port}`);
    },
    async kill() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
  };
  return self;
}
