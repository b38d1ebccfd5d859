/**
 * Per-principal rate limiting of the API with `@nestjs/throttler`: at most
 * `AUDIT_HUB_API_RATE_LIMIT` calls (default 600; 0 turns limiting off) in any minute per
 * principal, across every route; beyond that 429 with `Retry-After` (the seconds until the oldest
 * counted call leaves the minute) and an API error naming the limit and the principal.
 *
 * The guard runs after the authentication guard (api.providers.ts registers them in that order),
 * so the principal is known; routes without one (health, metrics, dashboard assets) are not
 * limited. Refused calls are not counted (`blockDuration: 0`), so a client that waits as told gets
 * through. Counts live in the process (throttler's in-memory storage): each API process limits
 * on its own.
 */
import { DynamicModule, ExecutionContext, Injectable } from '@nestjs/common';
import {
  minutes,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerModule,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { ApiRequest, ApiResponse } from './http.types';

export const RATE_LIMIT_WINDOW_MS = minutes(1);

/** A limit per minute from the environment variable `name`; `fallback` when unset. */
export function perMinuteLimitFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name}: "${raw}" is not a whole number of requests per minute`);
  return n;
}

export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return perMinuteLimitFromEnv('AUDIT_HUB_API_RATE_LIMIT', 600, env);
}

/** Throttler options for `limit` calls a minute per principal (0: no limit). */
export function rateLimitOptions(limit: number): ThrottlerModuleOptions {
  return {
    throttlers: [{ limit, ttl: RATE_LIMIT_WINDOW_MS, blockDuration: 0 }],
    skipIf: () => limit === 0,
    // Only `Retry-After`, on refusals, as before (the guard sets it); no X-RateLimit-* on every answer.
    setHeaders: false,
  };
}

/** The throttler's options and storage, read from the environment when the app is created. */
export function rateLimitModule(env: NodeJS.ProcessEnv = process.env): DynamicModule {
  return ThrottlerModule.forRootAsync({ useFactory: () => rateLimitOptions(rateLimitFromEnv(env)) });
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Public routes (health, metrics, dashboard assets) have no principal and are not limited. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || !context.switchToHttp().getRequest<ApiRequest>().principal;
  }

  protected override async getTracker(req: ApiRequest): Promise<string> {
    return req.principal!.id;
  }

  /** One count per principal across all routes (throttler's default keys by route as well). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<ApiResponse>().setHeader('Retry-After', String(seconds));
    throw new ThrottlerException(
      `rate limit of ${detail.limit} requests per minute exceeded for ${detail.tracker}; retry in ${seconds} s`,
    );
  }
}
