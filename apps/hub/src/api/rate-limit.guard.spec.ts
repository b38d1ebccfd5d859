import type { ExecutionContext } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { ThrottlerException } from '@nestjs/throttler';
import type { Principal } from '../auth/principal';
import { RateLimitGuard, rateLimitFromEnv, rateLimitModule } from './rate-limit.guard';

class Routes {
  findings() {}
  releases() {}
  health() {}
}

const T0 = new Date('2026-11-02T12:00:00Z').getTime();

const principal = (id: string): Principal => ({ id, name: id, role: 'auditor', team: null, kind: 'token' });

/** A call to a route, as the guard sees it once authentication has run (or found a public route). */
function call(handler: keyof Routes, who?: Principal) {
  const headers: Record<string, string> = {};
  const req = { method: 'GET', url: `/api/v1/${handler}`, headers: {}, principal: who };
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

describe('RateLimitGuard', () => {
  let moduleRef: TestingModule | undefined;

  async function guardWith(env: NodeJS.ProcessEnv): Promise<RateLimitGuard> {
    moduleRef = await Test.createTestingModule({
      imports: [rateLimitModule(env)],
      providers: [RateLimitGuard],
    }).compile();
    await moduleRef.init();
    return moduleRef.get(RateLimitGuard);
  }

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    jest.useRealTimers();
  });

  it('allows the limit per principal in any minute, across routes, then answers 429 with Retry-After', async () => {
    const guard = await guardWith({ AUDIT_HUB_API_RATE_LIMIT: '3' });
    const jane = principal('token:jane');
    await expect(guard.canActivate(call('findings', jane).ctx)).resolves.toBe(true);
    jest.setSystemTime(T0 + 20_000);
    await expect(guard.canActivate(call('releases', jane).ctx)).resolves.toBe(true);
    await expect(guard.canActivate(call('findings', jane).ctx)).resolves.toBe(true);

    const refused = call('releases', jane);
    const err = await guard.canActivate(refused.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottlerException);
    expect((err as ThrottlerException).getStatus()).toBe(429);
    expect((err as ThrottlerException).getResponse()).toBe(
      'rate limit of 3 requests per minute exceeded for token:jane; retry in 40 s',
    );
    // The first call leaves the minute 40 s later.
    expect(refused.headers).toEqual({ 'Retry-After': '40' });

    // Another principal has a count of its own.
    await expect(guard.canActivate(call('findings', principal('oidc:u-1')).ctx)).resolves.toBe(true);

    // Refused calls are not counted: once the first call is a minute old, one more gets through.
    jest.setSystemTime(T0 + 60_000);
    const next = call('findings', jane);
    await expect(guard.canActivate(next.ctx)).resolves.toBe(true);
    expect(next.headers).toEqual({});
    await expect(guard.canActivate(call('findings', jane).ctx)).rejects.toThrow(
      'rate limit of 3 requests per minute exceeded for token:jane; retry in 20 s',
    );
  });

  it('does not limit routes without a principal (health, metrics, dashboard assets)', async () => {
    const guard = await guardWith({ AUDIT_HUB_API_RATE_LIMIT: '1' });
    for (let i = 0; i < 5; i++) await expect(guard.canActivate(call('health').ctx)).resolves.toBe(true);
  });

  it('does not limit at all with AUDIT_HUB_API_RATE_LIMIT=0', async () => {
    const guard = await guardWith({ AUDIT_HUB_API_RATE_LIMIT: '0' });
    const jane = principal('token:jane');
    for (let i = 0; i < 5; i++)
      await expect(guard.canActivate(call('findings', jane).ctx)).resolves.toBe(true);
  });

  it('refuses to start with an invalid AUDIT_HUB_API_RATE_LIMIT, naming it', async () => {
    await expect(guardWith({ AUDIT_HUB_API_RATE_LIMIT: '-5' })).rejects.toThrow(
      'AUDIT_HUB_API_RATE_LIMIT: "-5" is not a whole number of requests per minute',
    );
  });
});

describe('rateLimitFromEnv', () => {
  it('defaults to 600 a minute, accepts 0 (off), refuses anything else clearly', () => {
    expect(rateLimitFromEnv({})).toBe(600);
    expect(rateLimitFromEnv({ AUDIT_HUB_API_RATE_LIMIT: '0' })).toBe(0);
    expect(rateLimitFromEnv({ AUDIT_HUB_API_RATE_LIMIT: '120' })).toBe(120);
    expect(() => rateLimitFromEnv({ AUDIT_HUB_API_RATE_LIMIT: 'lots' })).toThrow(
      'AUDIT_HUB_API_RATE_LIMIT: "lots" is not a whole number of requests per minute',
    );
  });
});
