/**
 * The runtime shapes an end-to-end test runs in (design.md): the embedded default (SQLite file,
 * in-process runner) and the single-server shape (PostgreSQL, BullMQ on Redis). Each gives the
 * `storage:` block of a config and cleans up after itself; Redis keys carry a prefix of their own.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { createTestDatabase } from './database';

export const REDIS_URL = process.env.AUDIT_HUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ShapeStorage {
  yaml: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export interface RuntimeShape {
  name: string;
  storage(dir: string): Promise<ShapeStorage>;
}

export const SQLITE_IN_PROCESS: RuntimeShape = {
  name: 'SQLite, in-process',
  storage: async (dir) => ({
    yaml: `storage:\n  database: "sqlite:${join(dir, 'hub.sqlite')}"\n`,
    env: {},
    cleanup: async () => undefined,
  }),
};

/** A Redis key prefix of the test's own, set in the environment for BullMQ. */
export function queuePrefixForTest(): string {
  return `audit-hub-test-${process.env.JEST_WORKER_ID ?? '0'}-${randomBytes(3).toString('hex')}`;
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const POSTGRES_BULLMQ: RuntimeShape = {
  name: 'PostgreSQL, BullMQ on Redis',
  storage: async () => {
    const db = await createTestDatabase();
    const prefix = queuePrefixForTest();
    return {
      yaml: `storage:\n  database: "${db.url}"\n  redis: "${REDIS_URL}"\n`,
      env: { AUDIT_HUB_QUEUE_PREFIX: prefix },
      cleanup: async () => {
        await deleteRedisPrefix(prefix);
        await db.drop();
      },
    };
  },
};

export const RUNTIME_SHAPES: RuntimeShape[] = [SQLITE_IN_PROCESS, POSTGRES_BULLMQ];
