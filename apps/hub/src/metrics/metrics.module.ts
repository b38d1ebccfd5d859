/**
 * Global, so that listeners registered in the hub module can take MetricsService with
 * `@Optional()`: served processes count, CLI commands (which do not import it) skip counting.
 */
import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService], controllers: [MetricsController] })
export class MetricsModule {}
