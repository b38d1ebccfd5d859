/**
 * GET /metrics for Prometheus. Open by default, as scrapers usually are; with
 * `AUDIT_HUB_METRICS_TOKEN` set, a scrape must send `Authorization: Bearer <that value>`.
 */
import { Controller, Get, Header, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../api/auth.decorators';
import type { ApiResponse } from '../api/http.types';
import { MetricsService } from './metrics.service';

const digest = (s: string) => createHash('sha256').update(s).digest();

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: ApiResponse) {
    const required = process.env.AUDIT_HUB_METRICS_TOKEN;
    if (required) {
      const sent = /^Bearer[ ]+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(sent), digest(required))) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="audit-hub-metrics"');
        throw new UnauthorizedException(
          'metrics need "Authorization: Bearer <AUDIT_HUB_METRICS_TOKEN>" on this server',
        );
      }
    }
    const { contentType, body } = await this.metrics.scrape();
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    res.end(body);
  }
}
