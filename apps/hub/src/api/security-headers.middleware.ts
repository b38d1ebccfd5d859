/**
 * Security headers on every answer, with `helmet`: its default set (CSP, frame, referrer,
 * content-type sniffing, cross-origin policies, HSTS; X-Powered-By removed), tightened where the
 * hub needs less — no `https:` fonts or styles, no framing at all (`frame-ancestors 'none'`,
 * `X-Frame-Options: DENY`), `connect-src 'self'` for the dashboard's API calls — and without
 * `upgrade-insecure-requests`, which would break the dashboard when served over plain HTTP on a
 * private network. A Nest middleware, so it covers every route the serve module applies it to.
 */
import { Injectable, NestMiddleware } from '@nestjs/common';
import helmet, { type HelmetOptions } from 'helmet';
import type { ApiRequest, ApiResponse } from './http.types';

export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'font-src': ["'self'", 'data:'],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'connect-src': ["'self'"],
    },
  },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
};

@Injectable()
export class SecurityHeadersMiddleware implements NestMiddleware {
  private readonly helmet = helmet(HELMET_OPTIONS);

  use(req: ApiRequest, res: ApiResponse, next: (err?: unknown) => void): void {
    this.helmet(req, res, next);
  }
}
