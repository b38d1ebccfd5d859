/**
 * Security headers on every answer, the set helmet sets by default (CSP, frame, referrer,
 * content-type sniffing, cross-origin policies) minus `upgrade-insecure-requests`, which would
 * break the dashboard when served over plain HTTP on a private network. Written here because
 * `helmet` is not among the installed packages; `app.use(helmet())` can replace it one for one.
 */
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { ApiRequest, ApiResponse } from './http.types';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

@Injectable()
export class SecurityHeadersMiddleware implements NestMiddleware {
  use(_req: ApiRequest, res: ApiResponse, next: () => void): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.removeHeader('X-Powered-By');
    next();
  }
}
