/**
 * `serve` as operators run it: liveness and readiness over HTTP, readiness that follows Redis, and
 * a SIGTERM that ends the process within the shutdown timeout even when Redis is gone.
 */
import { writeFileSync } from 'node:fs';
import { CliProcess, eventually, spawnCli, stop } from './support/cli-process';
import { scratchDir } from './support/hub';
import { privateRedis, PrivateRedis } from './support/private-redis';

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

describe('serve with Redis that goes away', () => {
  const scratch = scratchDir();
  let redis: PrivateRedis | undefined;
  let serve: CliProcess | undefined;

  afterAll(async () => {
    await stop(serve, 'SIGKILL');
    await redis?.kill();
    scratch.remove();
  });

  it('reports not-ready, and exits on SIGTERM within its timeout', async () => {
    redis = await privateRedis();
    await redis.start();
    const redisPort = redis.port;

    const path = `${scratch.dir}/serve.yaml`;
    writeFileSync(
      path,
      `storage:\n  database: "sqlite:${scratch.dir}/hub.sqlite"\n  redis: "redis://127.0.0.1:${redisPort}"\n`,
    );
    serve = spawnCli(['serve', '--port', '0', '--config', path], {
      AUDIT_HUB_SHUTDOWN_TIMEOUT_MS: '4000',
      AUDIT_HUB_LOG_LEVEL: 'info',
      AUDIT_HUB_QUEUE_PREFIX: 'audit-hub-serve-test',
    });
    const started = await serve.waitForLog((l) => l.msg === 'audit-hub serving');
    const base = `http://127.0.0.1:${started.port}`;
    expect(await status(`${base}/health/live`)).toBe(200);
    await eventually(
      async () => (await status(`${base}/health/ready`)) === 200,
      120_000,
      'ready with Redis up',
    );

    await redis.kill();
    await eventually(
      async () => (await status(`${base}/health/ready`)) === 503,
      120_000,
      'not ready with Redis down',
    );
    expect(await status(`${base}/health/live`)).toBe(200);

    serve.child.kill('SIGTERM');
    const exit = await Promise.race([
      serve.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000)),
    ]);
    expect(exit).not.toBe('hung');
  });
});
