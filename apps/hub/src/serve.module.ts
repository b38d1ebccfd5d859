/**
 * `serve`: the long-running service with any of the roles api, worker and scheduler, all in one
 * process or one role per process (design.md "Runtime shapes"). Health endpoints and metrics are
 * served in every role, so each process can be probed and scraped; the REST API under /api/v1 and
 * the dashboard at / in the api role.
 */
import { DynamicModule, MiddlewareConsumer, Module, NestModule, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import type { LoadedConfig } from './config/config.loader';
import { HubModule, HubModuleOptions } from './hub.module';
import { HealthController } from './api/health.controller';
import { API_CONTROLLERS, API_PROVIDERS, HTTP_PROVIDERS } from './api/api.providers';
import { AccessLogMiddleware } from './api/access-log.middleware';
import { ApiCallMiddleware } from './api/api-call.middleware';
import { AuthFailureMiddleware } from './api/auth-failure.middleware';
import { BodyRefusalMiddleware, installBodyParsing } from './api/body-parsing';
import type { AppLogger } from './common/app-logger';
import { rateLimitModule } from './api/rate-limit.guard';
import { SecurityHeadersMiddleware } from './api/security-headers.middleware';
import { MetricsModule } from './metrics/metrics.module';
import { ReconcileScheduler } from './scheduler/reconcile.scheduler';
import { RemediationRelayScheduler } from './remediation/remediation-relay.scheduler';
import { WorkerRole } from './worker.role';

export const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

@Module({})
export class ServeModule implements NestModule {
  static forRoot(loaded: LoadedConfig, roles: Role[], hubOptions: HubModuleOptions = {}): DynamicModule {
    const imports: (DynamicModule | Type)[] = [
      HubModule.forRoot(loaded, hubOptions),
      TerminusModule,
      MetricsModule,
      // Options and storage of the rate-limit guard, which HTTP_PROVIDERS registers in every role.
      rateLimitModule(),
    ];
    const providers: Provider[] = [...HTTP_PROVIDERS];
    const controllers: Type[] = [HealthController];
    if (roles.includes('api')) {
      controllers.push(...API_CONTROLLERS);
      providers.push(...API_PROVIDERS);
    }
    if (roles.includes('scheduler')) {
      imports.push(ScheduleModule.forRoot());
      providers.push(ReconcileScheduler, RemediationRelayScheduler);
    }
    if (roles.includes('worker')) providers.push(WorkerRole);
    return { module: ServeModule, imports, controllers, providers };
  }

  configure(consumer: MiddlewareConsumer): void {
    // In this order: every answer is timed for the access log, gets the headers and is counted (and
    // recorded, unless its client is over its limit on unauthenticated calls) before a refused
    // body is answered.
    consumer
      .apply(
        AccessLogMiddleware,
        SecurityHeadersMiddleware,
        ApiCallMiddleware,
        AuthFailureMiddleware,
        BodyRefusalMiddleware,
      )
      .forRoutes('{*path}');
  }
}

/**
 * The serve HTTP app, as `serve` and the tests build it: Nest's default body parsers replaced by
 * ours (an explicit size, refusals answered as API errors, depth and prototype keys checked;
 * api/body-parsing.ts), and the client address taken through `api.trustProxy` proxies.
 */
export async function createServeApp(
  loaded: LoadedConfig,
  roles: Role[],
  logger: AppLogger,
  hubOptions: HubModuleOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    ServeModule.forRoot(loaded, roles, hubOptions),
    {
      logger,
      abortOnError: false,
      bodyParser: false,
    },
  );
  const api = loaded.config.api;
  if (api.trustProxy) app.set('trust proxy', api.trustProxy);
  installBodyParsing(app, api.maxBodyKb);
  return app;
}
