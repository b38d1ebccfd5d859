/**
 * `serve`: the long-running service with any of the roles api, worker and scheduler, all in one
 * process or one role per process (design.md "Runtime shapes"). Health endpoints are served in
 * every role, so each process can be probed.
 */
import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import type { LoadedConfig } from './config/config.loader';
import { HubModule } from './hub.module';
import { HealthController } from './api/health.controller';
import { ReconcileScheduler } from './scheduler/reconcile.scheduler';
import { WorkerRole } from './worker.role';

export const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

@Module({})
export class ServeModule {
  static forRoot(loaded: LoadedConfig, roles: Role[]): DynamicModule {
    const imports: (DynamicModule | Type)[] = [HubModule.forRoot(loaded), TerminusModule];
    const providers: Provider[] = [];
    if (roles.includes('scheduler')) {
      imports.push(ScheduleModule.forRoot());
      providers.push(ReconcileScheduler);
    }
    if (roles.includes('worker')) providers.push(WorkerRole);
    return { module: ServeModule, imports, controllers: [HealthController], providers };
  }
}
