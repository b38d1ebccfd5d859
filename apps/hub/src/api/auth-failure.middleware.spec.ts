import { EventEmitter } from 'node:events';
import { ThrottlerException } from '@nestjs/throttler';
import type { Principal } from '../auth/principal';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { AuthFailureMiddleware } from './auth-failure.middleware';
import type { ApiRequest, ApiResponse } from './http.types';

const principal: Principal = { id: 'token:ops', name: 'ops', role: 'operator', team: null, kind: 'token' };

describe('AuthFailureMiddleware', () => {
  let limiter: AuthFailureLimiter;
  let middleware: AuthFailureMiddleware;
  beforeEach(() => {
    limiter = new AuthFailureLimiter(2, undefined, () => 0);
    middleware = new AuthFailureMiddleware(limiter);
  });

  /** One call through the middleware; `end` sends the answer, as the app would. */
  function call(path: string, authorization?: string, ip = '192.0.2.1') {
    const req = { method: 'GET', originalUrl: path, ip, headers: { authorization } } as unknown as ApiRequest;
    const headers: Record<string, string> = {};
    const res = Object.assign(new EventEmitter(), {
      setHeader: (k: string, v: string) => (headers[k] = v),
    }) as unknown as ApiResponse;
    let passed: unknown = 'not called';
    middleware.use(req, res, (err?: unknown) => (passed = err));
    return {
      req,
      headers,
      passed,
      end(as?: Principal) {
        req.principal = as;
        res.emit('finish');
        res.emit('close');
      },
    };
  }

  it('counts a call without a bearer token at once, and refuses the client with 429 past the limit', () => {
    expect(call('/api/v1/findings').passed).toBeUndefined();
    expect(call('/api/v1/findings', 'Basic abc').passed).toBeUndefined();
    const refused = call('/api/v1/me', 'Bearer ahk_valid');
    expect(refused.passed).toBeInstanceOf(ThrottlerException);
    expect((refused.passed as ThrottlerException).message).toBe(
      'too many calls from 192.0.2.1 without valid authentication: at most 2 a minute; retry in 60 s',
    );
    expect(refused.headers['Retry-After']).toBe('60');
    expect(refused.req.refusedBeforeAuthentication).toBe(true);
    // Another client is not affected.
    expect(call('/api/v1/me', undefined, '192.0.2.2').passed).toBeUndefined();
  });

  it('counts a call with a bearer token once it has ended without a principal, not before', () => {
    const bad = call('/api/v1/me', 'Bearer nope');
    const unknownPath = call('/api/v1/nowhere', 'Bearer ahk_valid');
    expect(limiter.retryAfter('192.0.2.1')).toBe(0);
    bad.end();
    unknownPath.end();
    expect(limiter.retryAfter('192.0.2.1')).toBe(60);
  });

  it('does not count calls that authenticated', () => {
    for (let i = 0; i < 5; i++) call('/api/v1/findings', 'Bearer ahk_valid').end(principal);
    expect(limiter.retryAfter('192.0.2.1')).toBe(0);
  });

  it('leaves everything outside /api/v… alone', () => {
    for (const path of ['/', '/health/live', '/metrics', '/api/docs', '/api/v1x', '/dashboard/app.js']) {
      for (let i = 0; i < 3; i++) call(path).end();
      expect(call(path).passed).toBeUndefined();
    }
    expect(limiter.tracked).toBe(0);
  });

  it('does nothing when the limit is off', () => {
    middleware = new AuthFailureMiddleware(new AuthFailureLimiter(0));
    for (let i = 0; i < 5; i++) expect(call('/api/v1/findings').passed).toBeUndefined();
  });
});
