/** Route metadata the API auth guard reads, and the principal as a handler parameter. */
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiRole, Principal } from '../auth/principal';
import type { ApiRequest } from './http.types';

export const IS_PUBLIC = 'audit-hub:public';
export const ROLES = 'audit-hub:roles';
export const READ_ONLY_ACTION = 'audit-hub:read-only-action';
export const COMPANY_WIDE = 'audit-hub:company-wide';

/** No token needed: health, metrics (own check), the dashboard's static shell. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route (every role may, without it). */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES, roles);

/** A POST that changes nothing (it computes an answer), so the read-only auditor role may call it. */
export const ReadOnlyAction = () => SetMetadata(READ_ONLY_ACTION, true);

/** The route covers every team: a team-scoped token is refused, with this reason. */
export const CompanyWide = (reason: string) => SetMetadata(COMPANY_WIDE, reason);

/** The authenticated caller (the auth guard has run before any handler). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<ApiRequest>().principal!,
);
