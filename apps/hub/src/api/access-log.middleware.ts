/**
 * The HTTP access log of `serve`, with pino-http: one line per answer — request id, method, path,
 * the query with credential-like values masked, status, duration, client address and the caller
 * (`token:<name>` or `oidc:<subject>`, role, team) once authenticated. Never a header: no bearer
 * token, no cookie; the address as `remoteAddress`. Level by status: 5xx error, 4xx warn, else info; the probes and the metrics
 * scrape, answered fine, at debug, so a scrape every few seconds does not drown the log. Calls
 * refused before authentication because their client is over its limit are not logged one by one.
 *
 * Each request gets an id, sent back as `X-Request-Id` and bound to `req.log`; an `X-Request-Id`
 * from an ingress is kept when it is a plain token of at most 128 characters.
 */
import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import pinoHttp from 'pino-http';
import type { LevelWithSilent } from 'pino';
import { AppLogger } from '../common/app-logger';
import type { ApiRequest, ApiResponse } from './http.types';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBES = /^\/(health\/(live|ready)|metrics)\/?$/;
/** Query parameters whose values could be credentials: masked in the log. */
const SENSITIVE_PARAM = /token|secret|passw|auth|key|sig|session|cookie|code/i;
const MAX_PATH = 2000;

type LoggedRequest = ApiRequest & { id?: string | number };

function splitUrl(req: ApiRequest): { path: string; query: string | undefined } {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return {
    path: path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path,
    query: q < 0 ? undefined : url.slice(q + 1),
  };
}

/** The query string with the values of credential-like parameters replaced. */
export function maskedQuery(query: string | undefined): string | undefined {
  if (!query) return undefined;
  const masked = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && SENSITIVE_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
    })
    .join('&');
  return masked.length > MAX_PATH ? `${masked.slice(0, MAX_PATH)}…` : masked;
}

export function accessLogLevel(path: string, status: number, err?: Error): LevelWithSilent {
  if (err || status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return PROBES.test(path) ? 'debug' : 'info';
}

@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  private readonly handle: (req: ApiRequest, res: ApiResponse, next: () => void) => void;

  constructor(logger: AppLogger) {
    const line = (req: LoggedRequest, res: ApiResponse, responseTime: number, err?: Error) => {
      const { path, query } = splitUrl(req);
      const p = req.principal;
      return {
        method: req.method,
        path,
        ...(query ? { query: maskedQuery(query) } : {}),
        status: res.statusCode,
        durationMs: responseTime,
        remoteAddress: req.ip ?? req.socket?.remoteAddress ?? null,
        ...(p ? { principal: p.id, role: p.role, team: p.team } : {}),
        ...(err && !/^failed with status code \d+$/.test(err.message) ? { err } : {}),
      };
    };
    const message = (req: LoggedRequest, res: ApiResponse, responseTime: number) =>
      `${req.method} ${splitUrl(req).path} ${res.statusCode} ${responseTime}ms`;
    this.handle = pinoHttp<LoggedRequest, ApiResponse>({
      logger: logger.pinoLogger,
      // The hub's own serializers (err: pino's err object, redacted); never pino-http's, which log headers.
      wrapSerializers: false,
      quietReqLogger: true,
      quietResLogger: true,
      genReqId: (req, res) => {
        const sent = req.headers['x-request-id'];
        const id = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      // A client refused for failing to authenticate too often is not logged call by call (the
      // limiter logs it once a minute): a flood must not flood the log.
      customLogLevel: (req, res, err) =>
        req.refusedBeforeAuthentication ? 'silent' : accessLogLevel(splitUrl(req).path, res.statusCode, err),
      customSuccessObject: (req, res, val: { responseTime: number }) => line(req, res, val.responseTime),
      customErrorObject: (req, res, err, val: { responseTime: number }) =>
        line(req, res, val.responseTime, err),
      customSuccessMessage: (req, res, responseTime) => message(req, res, responseTime),
      // pino-http passes the response time as a fourth argument its types do not declare.
      customErrorMessage: (req, res, _err, responseTime?: number) => message(req, res, responseTime ?? 0),
    }) as unknown as (req: ApiRequest, res: ApiResponse, next: () => void) => void;
  }

  use(req: ApiRequest, res: ApiResponse, next: () => void): void {
    this.handle(req, res, next);
  }
}
