/**
 * Redis connection options for BullMQ from `storage.redis` (redis:// or rediss:// URL), and the
 * queue names. Keys carry a prefix (`AUDIT_HUB_QUEUE_PREFIX`, default `audit-hub`) so several
 * installations, or parallel test workers, share one Redis without meeting.
 */
import type { RedisOptions } from 'bullmq';
import { HubError } from '../common/errors';

export const RECONCILE_QUEUE = 'reconcile';

export function queuePrefix(): string {
  return process.env.AUDIT_HUB_QUEUE_PREFIX || 'audit-hub';
}

export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HubError('usage', 'storage.redis: must be a redis:// or rediss:// URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new HubError('usage', `storage.redis: must be a redis:// or rediss:// URL, not ${u.protocol}`);
  }
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Workers block on Redis; BullMQ requires this to be null for them.
    maxRetriesPerRequest: null,
  };
}
