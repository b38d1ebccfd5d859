/**
 * BullMQ on Redis for the single-server and distributed shapes: the reconcile flow producer, queue
 * events for waiting on a run, and workers that run the same job handlers as the in-process runner.
 * Connections are opened lazily, so a hub without `storage.redis` never touches Redis.
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { FlowProducer, Queue, QueueEvents, UnrecoverableError, Worker, type RedisOptions } from 'bullmq';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { AppLogger } from '../common/app-logger';
import { HubError } from '../common/errors';
import { JobHandlerRegistry } from './job-handler.registry';
import { queuePrefix, RECONCILE_QUEUE, redisOptions } from './redis.options';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

@Injectable()
export class QueueService implements OnApplicationShutdown {
  private flowProducer?: FlowProducer;
  private queueEvents?: QueueEvents;
  private queueInstance?: Queue;
  private readonly workers = new Set<Worker>();
  private pingClient?: IORedis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handlers: JobHandlerRegistry,
    private readonly logger: AppLogger,
  ) {}

  get enabled(): boolean {
    return !!this.config.storage.redis;
  }

  connection(): RedisOptions {
    if (!this.config.storage.redis) throw new HubError('usage', 'storage.redis is not configured');
    return redisOptions(this.config.storage.redis);
  }

  flow(): FlowProducer {
    this.flowProducer ??= this.quiet(
      new FlowProducer({ connection: this.connection(), prefix: queuePrefix() }),
    );
    return this.flowProducer;
  }

  queue(): Queue {
    this.queueInstance ??= this.quiet(
      new Queue(RECONCILE_QUEUE, {
        connection: this.connection(),
        prefix: queuePrefix(),
      }),
    );
    return this.queueInstance;
  }

  /**
   * Fails fast, with a sentence, when Redis does not answer: BullMQ's own connections retry
   * forever, so a run started against a Redis that is down would otherwise hang.
   */
  async assertReachable(timeoutMs = 5000): Promise<void> {
    if (await this.ping(timeoutMs)) return;
    throw new HubError(
      'storage_unavailable',
      `Redis at ${this.where()} does not answer (storage.redis): runs cannot be queued`,
      true,
    );
  }

  /**
   * Where a run's evaluate job stands in the queue: `missing` when Redis answers but the job is
   * gone (Redis restarted without persistence, or was flushed), `unknown` when Redis does not
   * answer within the timeout.
   */
  async runJobState(
    evaluateJobId: string,
    timeoutMs = 5000,
  ): Promise<{ state: 'present' | 'missing' | 'failed' | 'unknown'; reason?: string }> {
    if (!(await this.ping(timeoutMs))) return { state: 'unknown' };
    try {
      const job = await withTimeout(this.queue().getJob(evaluateJobId), timeoutMs);
      if (!job) return { state: 'missing' };
      const state = await withTimeout(job.getState(), timeoutMs);
      if (state === 'failed') return { state: 'failed', reason: job.failedReason };
      if (state === 'completed')
        return { state: 'failed', reason: 'its evaluation ended without closing it' };
      if (state === 'unknown') return { state: 'missing' };
      return { state: 'present' };
    } catch {
      return { state: 'unknown' };
    }
  }

  /** `host:port` of the configured Redis, without credentials. */
  where(): string {
    const c = this.connection() as { host?: string; port?: number };
    return `${c.host ?? '127.0.0.1'}:${c.port ?? 6379}`;
  }

  /**
   * A lost Redis makes every BullMQ connection emit an `error` per reconnect attempt; without a
   * listener ioredis prints each with its stack. One warn line per minute says it instead.
   */
  private quiet<T extends { on(event: 'error', fn: (err: Error) => void): unknown }>(emitter: T): T {
    let last = 0;
    emitter.on('error', (err: Error) => {
      if (Date.now() - last < 60_000) return;
      last = Date.now();
      this.logger.warn('Redis connection error; retrying', { redis: this.where(), err });
    });
    return emitter;
  }

  async events(): Promise<QueueEvents> {
    if (!this.queueEvents) {
      this.queueEvents = this.quiet(
        new QueueEvents(RECONCILE_QUEUE, {
          connection: this.connection(),
          prefix: queuePrefix(),
        }),
      );
      await this.queueEvents.waitUntilReady();
    }
    return this.queueEvents;
  }

  /** Starts a worker on the reconcile queue; it runs until `closeWorker` or shutdown. */
  startWorker(concurrency = 4): Worker {
    const log = this.logger.child({ role: 'worker' });
    const worker = new Worker(
      RECONCILE_QUEUE,
      async (job, _token, signal) => {
        if (!this.handlers.isJobName(job.name)) throw new UnrecoverableError(`unknown job "${job.name}"`);
        return this.handlers.handle(job.name, job.data, {
          attemptsMade: job.attemptsMade,
          attempts: job.opts.attempts ?? 1,
          signal,
        });
      },
      {
        connection: this.connection(),
        prefix: queuePrefix(),
        concurrency,
        // A worker killed mid-job loses its lock after lockDuration; the stalled-job check then
        // hands the job to another worker, which resumes from the last committed batch.
        lockDuration: envMs('AUDIT_HUB_JOB_LOCK_MS', 30_000),
        stalledInterval: envMs('AUDIT_HUB_JOB_STALLED_MS', 30_000),
        maxStalledCount: 2,
      },
    );
    worker.on('failed', (job, err) => log.warn('job failed', { job: job?.id, name: job?.name, err }));
    let lastError = 0;
    worker.on('error', (err) => {
      if (Date.now() - lastError < 60_000) return;
      lastError = Date.now();
      log.warn('worker error', { err });
    });
    this.workers.add(worker);
    return worker;
  }

  /**
   * Closes a worker, waiting for its active jobs; with Redis gone a graceful close can wait
   * forever, so after `graceMs` its jobs are cancelled (their handlers see the abort signal and
   * stop reading upstreams), the close is forced, and its connections are dropped: a process must
   * be able to exit whatever Redis does.
   */
  async closeWorker(worker: Worker, graceMs = 10_000): Promise<void> {
    this.workers.delete(worker);
    try {
      await withTimeout(worker.close(), graceMs);
    } catch {
      worker.cancelAllJobs('the worker is shutting down');
      await withTimeout(worker.close(true), graceMs).catch(() => undefined);
      await withTimeout(worker.disconnect(), graceMs).catch(() => undefined);
    }
  }

  /** True when Redis answers a PING within the timeout (readiness). */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (!this.enabled) return true;
    // A client of its own that fails fast: BullMQ's connections retry forever by design.
    this.pingClient ??= new IORedis({
      ...this.connection(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      retryStrategy: () => 1000,
    } as any);
    const client = this.pingClient;
    if (!client.listenerCount('error')) client.on('error', () => undefined);
    try {
      if (client.status === 'wait') await client.connect();
      const answer = await Promise.race([
        client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const graceMs = envMs('AUDIT_HUB_SHUTDOWN_TIMEOUT_MS', 10_000);
    await Promise.allSettled([...this.workers].map((w) => this.closeWorker(w, graceMs)));
    this.pingClient?.disconnect();
    // A close waits for Redis to answer; when it does not, the connection is dropped instead.
    await Promise.allSettled(
      [this.flowProducer, this.queueEvents, this.queueInstance].map(async (client) => {
        if (!client) return;
        await withTimeout(client.close(), graceMs).catch(() => withTimeout(client.disconnect(), graceMs));
      }),
    );
  }
}
