import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, ConfigModule, LOADED_CONFIG } from './config.module';
import { parseConfig, type LoadedConfig } from './config.loader';
import type { AppConfig } from './config.schema';
import { Redactor } from './redactor';

@Injectable()
class Consumer {
  constructor(
    @Inject(APP_CONFIG) readonly config: AppConfig,
    @Inject(LOADED_CONFIG) readonly loaded: LoadedConfig,
    readonly redactor: Redactor,
  ) {}
}

@Module({ providers: [Consumer], exports: [Consumer] })
class ConsumerModule {}

describe('ConfigModule', () => {
  it('provides the config, the loaded config and a redactor seeded with its secrets to every module', async () => {
    const loaded = parseConfig('storage: { redis: "redis://:${env:REDIS_PASSWORD}@127.0.0.1:6379" }\n', {
      env: { REDIS_PASSWORD: 'redis-pass-42' },
    });
    const app = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loaded), ConsumerModule],
    }).compile();

    const consumer = app.get(Consumer);
    expect(consumer.config).toBe(loaded.config);
    expect(consumer.config.storage.redis).toBe('redis://:redis-pass-42@127.0.0.1:6379');
    expect(consumer.loaded).toBe(loaded);
    expect(consumer.redactor.redact(`connect ${consumer.config.storage.redis}`)).toBe(
      'connect redis://:[REDACTED]@127.0.0.1:6379',
    );
    await app.close();
  });
});
