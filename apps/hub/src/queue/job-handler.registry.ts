/**
 * Typed jobs, checked at boot: each job name maps to exactly one handler. A job name without a
 * handler, or with two, stops start-up instead of failing at 2 a.m.
 */
import { Injectable } from '@nestjs/common';
import type { JobName, JobPayloads } from '../runs/job.types';
import { CollectHandler } from '../runs/collect.handler';
import { EvaluateHandler } from '../runs/evaluate.handler';

export interface JobContext {
  /** Attempts already made before this one (BullMQ `attemptsMade`). */
  attemptsMade: number;
  /** Attempts allowed in all. */
  attempts: number;
  signal?: AbortSignal;
}

export type JobHandlerFn<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<unknown>;

export const JOB_NAMES: readonly JobName[] = ['collect', 'evaluate'];

@Injectable()
export class JobHandlerRegistry {
  private readonly handlers: { [N in JobName]: JobHandlerFn<N> };

  constructor(collect: CollectHandler, evaluate: EvaluateHandler) {
    this.handlers = {
      collect: (p, ctx) => collect.handle(p, ctx),
      evaluate: (p) => evaluate.handle(p),
    };
    const missing = JOB_NAMES.filter((n) => typeof this.handlers[n] !== 'function');
    const extra = Object.keys(this.handlers).filter((n) => !JOB_NAMES.includes(n as JobName));
    if (missing.length || extra.length) {
      throw new Error(
        `job handlers: missing ${missing.join(', ') || 'none'}; unknown ${extra.join(', ') || 'none'}`,
      );
    }
  }

  handle<N extends JobName>(name: N, payload: JobPayloads[N], ctx: JobContext): Promise<unknown> {
    const handler = this.handlers[name] as JobHandlerFn<N> | undefined;
    if (!handler) throw new Error(`no handler for job "${name}"`);
    return handler(payload, ctx);
  }

  isJobName(name: string): name is JobName {
    return (JOB_NAMES as readonly string[]).includes(name);
  }
}
