/**
 * Per-caller rate limiting of the API: a fixed window per principal (or per client address before
 * authentication), 429 with `Retry-After` when exceeded. `AUDIT_HUB_API_RATE_LIMIT` sets the
 * requests per minute (default 600; 0 turns limiting off).
 *
 * Written here because `@nestjs/throttler` is not among the installed packages; it keeps the same
 * contract (429, Retry-After, a per-tracker window), so swapping it in later changes no client.
 */
import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { ApiRequest, ApiResponse } from './http.types';

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; returns 0 when allowed, else the milliseconds until the window resets. */
  hit(key: string): number {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? w.start + this.windowMs - now : 0;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AUDIT_HUB_API_RATE_LIMIT;
  if (raw === undefined || raw === '') return 600;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`AUDIT_HUB_API_RATE_LIMIT: "${raw}" is not a whole number of requests per minute`);
  return n;
}

@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiter: FixedWindowLimiter | null;

  constructor() {
    const limit = rateLimitFromEnv();
    this.limiter = limit > 0 ? new FixedWindowLimiter(limit, 60_000) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.limiter || context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<ApiRequest>();
    // Public routes (health, metrics, dashboard assets) have no principal and are not limited.
    if (!req.principal) return true;
    const waitMs = this.limiter.hit(req.principal.id);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      context.switchToHttp().getResponse<ApiResponse>().setHeader('Retry-After', String(seconds));
      throw new HttpException(
        `rate limit of ${this.limiter.limit} requests per minute exceeded for ${req.principal.id}; retry in ${seconds} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return true;
  }
}
