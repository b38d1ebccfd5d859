import { isRateLimited, parseRetryAfter, serverWaitMs } from './rate-limit';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const epoch = (secondsFromNow: number) => `${NOW / 1000 + secondsFromNow}`;

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sat, 01 Mar 2025 12:00:30 GMT', 30_000],
    ['Sat, 01 Mar 2025 11:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %p as %p ms', (value, ms) => expect(parseRetryAfter(value, NOW)).toBe(ms));
});

describe('serverWaitMs', () => {
  it('prefers Retry-After over reset headers', () => {
    expect(serverWaitMs(429, { 'retry-after': '5', 'x-ratelimit-reset': epoch(60) }, NOW)).toBe(5_000);
  });

  it('uses an epoch reset on a 429, or when the quota is spent', () => {
    expect(serverWaitMs(429, { 'x-ratelimit-reset': epoch(60) }, NOW)).toBe(60_000);
    expect(serverWaitMs(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch(9) }, NOW)).toBe(
      9_000,
    );
    expect(serverWaitMs(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': epoch(2) }, NOW)).toBe(2_000);
  });

  it('reads a small reset value as delta-seconds (IETF RateLimit headers)', () => {
    expect(serverWaitMs(429, { 'ratelimit-reset': '30' }, NOW)).toBe(30_000);
  });

  it('ignores the reset while quota remains (GitHub sends it on every response)', () => {
    expect(
      serverWaitMs(503, { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': epoch(600) }, NOW),
    ).toBeUndefined();
    expect(
      serverWaitMs(429, { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': epoch(600) }, NOW),
    ).toBeUndefined();
  });
});

describe('isRateLimited', () => {
  it('is a 429, or a 403 with no quota left', () => {
    expect(isRateLimited(429, {})).toBe(true);
    expect(isRateLimited(403, { 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(isRateLimited(403, { 'x-ratelimit-remaining': '10' })).toBe(false);
    expect(isRateLimited(403, {})).toBe(false);
  });
});
