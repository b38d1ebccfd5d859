/**
 * Makes the loaded config available to every module: `APP_CONFIG` (the resolved `AppConfig`),
 * `LOADED_CONFIG` (with its file path, secrets and line lookup) and the `Redactor` seeded with the
 * config's secrets. The config is loaded before Nest starts, so a bad file exits 2 before any
 * connection is opened.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import type { LoadedConfig } from './config.loader';
import { Redactor } from './redactor';

/** Injection token of the resolved `AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
/** Injection token of the whole `LoadedConfig`. */
export const LOADED_CONFIG = Symbol('LOADED_CONFIG');

@Module({})
export class ConfigModule {
  static forRoot(loaded: LoadedConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: loaded.config },
        { provide: LOADED_CONFIG, useValue: loaded },
        { provide: Redactor, useValue: new Redactor(loaded.secrets) },
      ],
      exports: [APP_CONFIG, LOADED_CONFIG, Redactor],
    };
  }
}
