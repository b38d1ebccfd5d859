import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import type { ApiAuthService, AuthResult } from '../auth/api-auth.service';
import type { Principal } from '../auth/principal';
import { ApiAuthGuard } from './api-auth.guard';
import { CompanyWide, Public, ReadOnlyAction, Roles } from './auth.decorators';

class Routes {
  @Public() health() {}
  read() {}
  @Roles('admin', 'operator') approve() {}
  @ReadOnlyAction() verify() {}
  @CompanyWide('a run covers every team') start() {}
}

const principal = (role: Principal['role'], team: string | null = null): Principal => ({
  id: `token:${role}`,
  name: role,
  role,
  team,
  kind: 'token',
});

function context(handler: keyof Routes, method: string, authorization?: string) {
  const headers: Record<string, string> = {};
  const req: any = { method, url: `/api/v1/${handler}`, headers: authorization ? { authorization } : {} };
  const res: any = { setHeader: (k: string, v: string) => (headers[k] = v) };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { ctx, req, headers };
}

describe('ApiAuthGuard', () => {
  const results = new Map<string, AuthResult>();
  const guard = new ApiAuthGuard(new Reflector(), {
    authenticate: async (t: string) =>
      results.get(t) ?? { status: 401, message: 'the API token is not known' },
  } as ApiAuthService);
  results.set('admin', { principal: principal('admin') });
  results.set('auditor', { principal: principal('auditor') });
  results.set('team-operator', { principal: principal('operator', 'payments') });
  results.set('no-role', {
    status: 403,
    message: "the JWT's audit_hub_role claim must be one of admin, operator, auditor",
  });

  it('lets public routes through without a token', async () => {
    await expect(guard.canActivate(context('health', 'GET').ctx)).resolves.toBe(true);
  });

  it('answers 401 with WWW-Authenticate: Bearer without a token or with a bad one', async () => {
    const anon = context('read', 'GET');
    await expect(guard.canActivate(anon.ctx)).rejects.toThrow(UnauthorizedException);
    expect(anon.headers['WWW-Authenticate']).toBe('Bearer realm="audit-hub"');
    const bad = context('read', 'GET', 'Bearer nope');
    await expect(guard.canActivate(bad.ctx)).rejects.toThrow('the API token is not known');
    expect(bad.headers['WWW-Authenticate']).toBe('Bearer realm="audit-hub", error="invalid_token"');
    await expect(guard.canActivate(context('read', 'GET', 'Basic dXNlcjpwYXNz').ctx)).rejects.toThrow(
      'the Authorization header must be "Bearer <token>"',
    );
    await expect(guard.canActivate(context('read', 'GET', 'Bearer no-role').ctx)).rejects.toThrow(
      ForbiddenException,
    );
  });

  it('keeps the auditor role to reads, except read-only actions', async () => {
    const c = context('read', 'GET', 'Bearer auditor');
    await expect(guard.canActivate(c.ctx)).resolves.toBe(true);
    expect(c.req.principal).toEqual(principal('auditor'));
    await expect(guard.canActivate(context('approve', 'POST', 'Bearer auditor').ctx)).rejects.toThrow(
      'the auditor role is read-only: POST /api/v1/approve changes data',
    );
    await expect(guard.canActivate(context('read', 'DELETE', 'Bearer auditor').ctx)).rejects.toThrow(
      ForbiddenException,
    );
    await expect(guard.canActivate(context('verify', 'POST', 'Bearer auditor').ctx)).resolves.toBe(true);
  });

  it('applies role lists and refuses team-scoped tokens on company-wide routes', async () => {
    await expect(guard.canActivate(context('approve', 'POST', 'Bearer admin').ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context('start', 'POST', 'Bearer team-operator').ctx)).rejects.toThrow(
      'POST /api/v1/start is not available to a token scoped to team payments: a run covers every team',
    );
    await expect(guard.canActivate(context('start', 'POST', 'Bearer admin').ctx)).resolves.toBe(true);
  });
});
