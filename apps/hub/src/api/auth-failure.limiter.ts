/**
 * Limits API calls that do not authenticate, per client address: once a client has made
 * `AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT` of them (default 60; 0 turns it off) in a minute, every
 * API call it makes is refused with 429 and `Retry-After` until its minute is over, before its
 * body is judged, its token hashed, looked up or verified, or an `api_call` row written
 * (auth-failure.middleware.ts counts and refuses). Calls that authenticate are not counted, so a
 * client that sends valid tokens is refused only while its address is also making calls that
 * don't.
 *
 * The per-principal limit (rate-limit.guard.ts) cannot do this: it needs a principal. Reaching
 * the limit logs one warning per client and minute.
 *
 * A client is its address as Express sees it (`api.trustProxy` for proxies in front); IPv6
 * clients by their /64, which one host usually has to itself, and IPv4-mapped IPv6 addresses as
 * the IPv4 address. Counts live in the process: each API process limits on its own.
 */
import { isIPv6 } from 'node:net';
import type { AppLogger } from '../common/app-logger';
import type { ApiRequest } from './http.types';
import { perMinuteLimitFromEnv, RATE_LIMIT_WINDOW_MS } from './rate-limit.guard';

export const DEFAULT_ANONYMOUS_RATE_LIMIT = 60;
/** Clients tracked at once by default; beyond that the oldest windows are forgotten first. */
export const MAX_TRACKED_CLIENTS = 100_000;

export function anonymousRateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return perMinuteLimitFromEnv('AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT', DEFAULT_ANONYMOUS_RATE_LIMIT, env);
}

/** The eight 16-bit groups of a valid IPv6 address: `::` expanded, a dotted IPv4 tail as two groups. */
function ipv6Groups(ip: string): number[] {
  let address = ip.split('%')[0];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    address = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const front = head ? head.split(':') : [];
  const back = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : Math.max(0, 8 - front.length - back.length);
  return [...front, ...Array<string>(zeros).fill('0'), ...back].map((g) => parseInt(g, 16) || 0);
}

/** The address a request is limited by: an IPv4 address, or an IPv6 /64 (`2001:db8:0:1::/64`). */
export function clientOf(req: Pick<ApiRequest, 'ip' | 'socket'>): string {
  const ip = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  if (!isIPv6(ip)) return ip;
  const g = ipv6Groups(ip);
  // ::ffff:a.b.c.d (also written ::ffff:7f00:1): an IPv4 client on a dual-stack socket.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

interface Window {
  start: number;
  failures: number;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** Failed authentications a client may have in a minute; 0: no limit. */
    readonly limit: number,
    private readonly logger?: AppLogger,
    /** Milliseconds, monotonic (a fake in tests). */
    private readonly tick: () => number = () => performance.now(),
    /** Clients tracked at once (memory bound). */
    private readonly maxClients: number = MAX_TRACKED_CLIENTS,
  ) {}

  /** Clients with a window open (ended windows may linger until room is needed). */
  get tracked(): number {
    return this.windows.size;
  }

  /** Seconds until `client` may call again; 0 when it may now. */
  retryAfter(client: string): number {
    if (!this.limit) return 0;
    const now = this.tick();
    const w = this.live(client, now);
    if (!w || w.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + RATE_LIMIT_WINDOW_MS - now) / 1000));
  }

  /** Counts a call of `client` that did not authenticate. */
  failed(client: string): void {
    if (!this.limit) return;
    const now = this.tick();
    let w = this.live(client, now);
    if (!w) {
      this.makeRoom(now);
      w = { start: now, failures: 0 };
      this.windows.set(client, w);
    }
    w.failures++;
    if (w.failures === this.limit)
      this.logger?.warn('API calls without valid authentication over the limit; refusing the client', {
        client,
        failures: w.failures,
        limitPerMinute: this.limit,
        retryAfterSeconds: this.retryAfter(client),
      });
  }

  private live(client: string, now: number): Window | undefined {
    const w = this.windows.get(client);
    if (w && now - w.start >= RATE_LIMIT_WINDOW_MS) {
      this.windows.delete(client);
      return undefined;
    }
    return w;
  }

  /**
   * Forgets windows that have ended, oldest first (insertion order is start order), and the
   * oldest live ones while too many clients are tracked (a flood from many addresses).
   */
  private makeRoom(now: number): void {
    for (const [client, w] of this.windows) {
      if (this.windows.size < this.maxClients && now - w.start < RATE_LIMIT_WINDOW_MS) break;
      this.windows.delete(client);
    }
  }
}
