import { FixedWindowLimiter, rateLimitFromEnv } from './rate-limit.guard';

describe('FixedWindowLimiter', () => {
  it('allows `limit` hits per window and key, then says how long to wait', () => {
    let now = 1_000;
    const limiter = new FixedWindowLimiter(3, 60_000, () => now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0, 0]);
    expect(limiter.hit('b')).toBe(0);
    now = 31_000;
    expect(limiter.hit('a')).toBe(30_000);
    now = 61_000;
    expect(limiter.hit('a')).toBe(0);
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
