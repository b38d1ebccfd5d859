/**
 * Records every API call — who (principal, role, team; null when anonymous or refused), what
 * (method, path and query), when, and how it ended — in `api_call`, once the answer is sent, so
 * refused and failed calls are recorded too. Also counts requests for /metrics.
 *
 * Except calls refused before authentication because their client failed to authenticate too
 * often (auth-failure.middleware.ts): a flood of them is noise, not access, and a row each would let
 * anyone fill the table. They count in the metrics (status 429), and reaching the limit is
 * logged once per client and minute; the failed calls up to the limit are recorded as usual.
 */
import { Injectable, NestMiddleware, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { ApiCallEntity } from '../auth/api-call.entity';
import { MetricsService } from '../metrics/metrics.service';
import type { ApiRequest, ApiResponse } from './http.types';

/** Calls under these prefixes are API calls; documentation, assets and probes are not recorded. */
const RECORDED = /^\/(api\/v\d+|admin)(\/|$)/;
const MAX_PATH = 2000;

@Injectable()
export class ApiCallMiddleware implements NestMiddleware {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  use(req: ApiRequest, res: ApiResponse, next: () => void): void {
    const started = process.hrtime.bigint();
    const at = this.clock.now().toISOString();
    const url = req.originalUrl ?? req.url ?? '/';
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req as { route?: { path?: string } }).route?.path ?? 'unmatched';
      this.metrics?.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics?.httpDuration.observe({ method: req.method, route }, seconds);
      if (!RECORDED.test(url.split('?')[0]) || req.refusedBeforeAuthentication) return;
      const p = req.principal;
      const row: Omit<ApiCallEntity, 'id'> = {
        at,
        principal: p?.id ?? null,
        role: p?.role ?? null,
        team: p?.team ?? null,
        method: req.method.slice(0, 10),
        path: url.length > MAX_PATH ? `${url.slice(0, MAX_PATH)}…` : url,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
      };
      this.dataSource
        .getRepository(ApiCallEntity)
        .insert(row)
        .catch((err: Error) => this.logger.error('API call could not be recorded', { ...row, err }));
    });
    next();
  }
}
