/**
 * Starts the hub's Nest application context for one CLI command, from a config loaded first (so a
 * bad config is exit 2 before anything connects). Nest's own logs go through the redacting JSON
 * logger on stderr; stdout stays for the command's output.
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HubModule, HubModuleOptions } from '../../hub/src/hub.module';
import { loadConfig, LoadedConfig } from '../../hub/src/config/config.loader';
import { Redactor } from '../../hub/src/config/redactor';
import { AppLogger } from '../../hub/src/common/app-logger';

export interface ContextOptions extends HubModuleOptions {
  config?: string;
  /** A config already loaded (the demo writes and loads its own). */
  loaded?: LoadedConfig;
}

export async function withHub<T>(
  opts: ContextOptions,
  work: (app: INestApplicationContext, loaded: LoadedConfig) => Promise<T>,
): Promise<T> {
  const loaded = opts.loaded ?? loadConfig({ path: opts.config });
  const logger = new AppLogger(new Redactor(loaded.secrets));
  const app = await NestFactory.createApplicationContext(HubModule.forRoot(loaded, opts), {
    logger,
    abortOnError: false,
  });
  try {
    return await work(app, loaded);
  } finally {
    await app.close();
  }
}
