/**
 * The API's access control, global to the HTTP app: every route needs a bearer token unless it is
 * marked public; the auditor role only reads; routes may be limited to roles, or refused to
 * team-scoped tokens when they cover every team. Anonymous calls get 401 with
 * `WWW-Authenticate: Bearer`, as RFC 6750 asks.
 *
 * Calls that end without a principal count against their client's limit on failed
 * authentication, which refuses a client over it before this guard runs
 * (auth-failure.middleware.ts).
 */
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiAuthService } from '../auth/api-auth.service';
import { ApiRole, READ_METHODS } from '../auth/principal';
import { COMPANY_WIDE, IS_PUBLIC, READ_ONLY_ACTION, ROLES } from './auth.decorators';
import type { ApiRequest, ApiResponse } from './http.types';

const REALM = 'audit-hub';

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header. */
export function bearerToken(header: unknown): string | undefined {
  return typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: ApiAuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<ApiRequest>();
    const res = http.getResponse<ApiResponse>();

    const header = req.headers.authorization;
    const bearer = bearerToken(header);
    if (!bearer) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw new UnauthorizedException(
        header
          ? 'the Authorization header must be "Bearer <token>"'
          : 'authentication required: send "Authorization: Bearer <token>" (create a token with `audit-hub tokens create`)',
      );
    }
    const result = await this.auth.authenticate(bearer);
    if ('status' in result) {
      if (result.status === 401) {
        res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
        throw new UnauthorizedException(result.message);
      }
      throw new ForbiddenException(result.message);
    }
    const principal = result.principal;
    req.principal = principal;

    const route = `${req.method} ${(req.originalUrl ?? req.url ?? '').split('?')[0]}`;
    const readOnlyAction = this.reflector.getAllAndOverride<boolean>(READ_ONLY_ACTION, targets);
    if (principal.role === 'auditor' && !READ_METHODS.has(req.method) && !readOnlyAction) {
      throw new ForbiddenException(`the auditor role is read-only: ${route} changes data`);
    }
    const roles = this.reflector.getAllAndOverride<ApiRole[]>(ROLES, targets);
    if (roles?.length && !roles.includes(principal.role)) {
      throw new ForbiddenException(
        `${route} needs the ${roles.join(' or ')} role; this token has the ${principal.role} role`,
      );
    }
    const companyWide = this.reflector.getAllAndOverride<string>(COMPANY_WIDE, targets);
    if (companyWide && principal.team) {
      throw new ForbiddenException(
        `${route} is not available to a token scoped to team ${principal.team}: ${companyWide}`,
      );
    }
    return true;
  }
}
