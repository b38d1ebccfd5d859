/**
 * What the `serve` process registers for HTTP: the API controllers (api role), and in every role
 * the access-control guard, rate limit, validation pipe and error filter, so probes and metrics on
 * worker and scheduler processes answer in the same shapes. ReportService and EvidenceVerifier
 * come from the hub module.
 */
import type { Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiAuthService } from '../auth/api-auth.service';
import { ApiTokenService } from '../auth/api-token.service';
import { ExceptionStore } from '../exceptions/exception.store';
import { DashboardController } from '../dashboard/dashboard.controller';
import { AppLogger } from '../common/app-logger';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthFailureLimiter, anonymousRateLimitFromEnv } from './auth-failure.limiter';
import { ApiExceptionFilter } from './api-exception.filter';
import { ApiValidationPipe } from './api-validation.pipe';
import { ConfigExceptionsService } from './config-exceptions.service';
import { ConnectorsController } from './connectors.controller';
import { ControlResultsService } from './control-results.service';
import { ConnectorsStatusService } from './connectors-status.service';
import { ControlsController } from './controls.controller';
import { EvidenceController } from './evidence.controller';
import { ExceptionsController } from './exceptions.controller';
import { FindingsController } from './findings.controller';
import { FindingsReadService } from './findings-read.service';
import { MeController } from './me.controller';
import { OverviewController } from './overview.controller';
import { OverviewService } from './overview.service';
import { RateLimitGuard } from './rate-limit.guard';
import { ReleasesController } from './releases.controller';
import { ReleasesReadService } from './releases-read.service';
import { ReportsController } from './reports.controller';
import { RunsApiService } from './runs-api.service';
import { RunsController } from './runs.controller';
import { TablePresence } from './table-presence';

/** Access control and the error/validation shapes, in every role. */
export const HTTP_PROVIDERS: Provider[] = [
  ApiTokenService,
  ApiAuthService,
  // Read from the environment when the app is created, as the per-principal limit is.
  {
    provide: AuthFailureLimiter,
    useFactory: (logger: AppLogger) => new AuthFailureLimiter(anonymousRateLimitFromEnv(), logger),
    inject: [AppLogger],
  },
  { provide: APP_GUARD, useClass: ApiAuthGuard },
  // After authentication (global guards run in the order registered here), so the limit is per
  // principal. Its options and storage come from rateLimitModule(), imported by the serve module.
  { provide: APP_GUARD, useClass: RateLimitGuard },
  { provide: APP_PIPE, useClass: ApiValidationPipe },
  { provide: APP_FILTER, useClass: ApiExceptionFilter },
];

/** The REST API and the dashboard (api role). */
export const API_CONTROLLERS: Type[] = [
  MeController,
  OverviewController,
  FindingsController,
  ExceptionsController,
  RunsController,
  ControlsController,
  ConnectorsController,
  ReleasesController,
  ReportsController,
  EvidenceController,
  DashboardController,
];

export const API_PROVIDERS: Provider[] = [
  TablePresence,
  ExceptionStore,
  FindingsReadService,
  RunsApiService,
  ConnectorsStatusService,
  ReleasesReadService,
  OverviewService,
  ControlResultsService,
  ConfigExceptionsService,
];
