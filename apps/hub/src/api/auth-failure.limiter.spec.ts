import type { AppLogger } from '../common/app-logger';
import { anonymousRateLimitFromEnv, AuthFailureLimiter, clientOf } from './auth-failure.limiter';

const req = (ip: string) => ({ ip }) as Parameters<typeof clientOf>[0];

describe('AuthFailureLimiter', () => {
  let ms: number;
  const tick = () => ms;
  beforeEach(() => {
    ms = 1_000_000;
  });

  it('refuses a client once it has failed `limit` times in a minute, until its minute is over', () => {
    const limiter = new AuthFailureLimiter(3, undefined, tick);
    for (let i = 0; i < 2; i++) limiter.failed('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    ms += 15_000;
    limiter.failed('10.0.0.1');
    // The minute began with the first failure, 15 s ago.
    expect(limiter.retryAfter('10.0.0.1')).toBe(45);
    ms += 44_500;
    expect(limiter.retryAfter('10.0.0.1')).toBe(1);
    ms += 500;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    // A new minute starts from nothing.
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
  });

  it('counts each client on its own', () => {
    const limiter = new AuthFailureLimiter(2, undefined, tick);
    limiter.failed('10.0.0.1');
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(60);
    expect(limiter.retryAfter('10.0.0.2')).toBe(0);
  });

  it('never refuses with a limit of 0, and tracks nothing', () => {
    const limiter = new AuthFailureLimiter(0, undefined, tick);
    for (let i = 0; i < 1000; i++) limiter.failed('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    expect(limiter.tracked).toBe(0);
  });

  it('warns once per client and minute when the limit is reached', () => {
    const warn = jest.fn();
    const limiter = new AuthFailureLimiter(2, { warn } as unknown as AppLogger, tick);
    for (let i = 0; i < 10; i++) limiter.failed('10.0.0.1');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toEqual({
      client: '10.0.0.1',
      failures: 2,
      limitPerMinute: 2,
      retryAfterSeconds: 60,
    });
    ms += 60_000;
    for (let i = 0; i < 2; i++) limiter.failed('10.0.0.1');
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxClients windows, forgetting ended ones and then the oldest', () => {
    const limiter = new AuthFailureLimiter(1, undefined, tick, 100);
    for (let i = 0; i < 100; i++) limiter.failed(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.tracked).toBe(100);
    expect(limiter.retryAfter('10.0.0.0')).toBe(60);
    // A flood from many more addresses: memory stays bounded, the oldest windows go first.
    for (let i = 100; i < 10_000; i++) limiter.failed(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.tracked).toBe(100);
    expect(limiter.retryAfter('10.0.0.0')).toBe(0);
    expect(limiter.retryAfter(`10.0.${9_999 >> 8}.${9_999 & 255}`)).toBe(60);
    // Once their minute is over, windows are forgotten when room is needed.
    ms += 60_000;
    limiter.failed('192.0.2.1');
    expect(limiter.tracked).toBe(1);
  });

  it('reads AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT (default 60, 0 = off) and refuses anything else', () => {
    expect(anonymousRateLimitFromEnv({})).toBe(60);
    expect(anonymousRateLimitFromEnv({ AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: '' })).toBe(60);
    expect(anonymousRateLimitFromEnv({ AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: '0' })).toBe(0);
    expect(anonymousRateLimitFromEnv({ AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: '25' })).toBe(25);
    expect(() => anonymousRateLimitFromEnv({ AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: '2.5' })).toThrow(
      'AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: "2.5" is not a whole number of requests per minute',
    );
    expect(() => anonymousRateLimitFromEnv({ AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT: '-1' })).toThrow(
      /not a whole number/,
    );
  });
});

describe('clientOf', () => {
  it('takes an IPv4 address as it is', () => {
    expect(clientOf(req('203.0.113.7'))).toBe('203.0.113.7');
  });

  it('takes an IPv4-mapped IPv6 address as the IPv4 address, in either notation', () => {
    expect(clientOf(req('::ffff:203.0.113.7'))).toBe('203.0.113.7');
    expect(clientOf(req('::FFFF:203.0.113.7'))).toBe('203.0.113.7');
    expect(clientOf(req('::ffff:cb00:7107'))).toBe('203.0.113.7');
    expect(clientOf(req('0:0:0:0:0:ffff:cb00:7107'))).toBe('203.0.113.7');
  });

  it('takes an IPv6 client by its /64, however the address is written', () => {
    const a = clientOf(req('2001:db8:1:2:aaaa::1'));
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientOf(req('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'))).toBe(a);
    expect(clientOf(req('2001:DB8:1:2::9%eth0'))).toBe(a);
    expect(clientOf(req('2001:db8:1:3::1'))).toBe('2001:db8:1:3::/64');
    expect(clientOf(req('2001:db8::1'))).toBe('2001:db8:0:0::/64');
    expect(clientOf(req('::1'))).toBe('0:0:0:0::/64');
    // An IPv4 tail on another prefix is not a mapped address.
    expect(clientOf(req('64:ff9b::203.0.113.7'))).toBe('64:ff9b:0:0::/64');
  });

  it('falls back to the socket address', () => {
    expect(clientOf({ socket: { remoteAddress: '::ffff:10.1.2.3' } } as Parameters<typeof clientOf>[0])).toBe(
      '10.1.2.3',
    );
  });
});
