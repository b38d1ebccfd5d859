/**
 * Sends queued remediation actions between runs (scheduler role). Runs queue tickets, comments and
 * closes and send them when they finish; an action the tracker could not take then (it was down,
 * rate-limited, or its search not yet consistent) waits for its backoff. Without this pass it would
 * wait for the next run — a day, with a nightly schedule. Every `AUDIT_HUB_REMEDIATION_RELAY_MS`
 * (default 5 minutes; 0 turns it off) this sends whatever is due. Several schedulers may run it at
 * once: the relay leases each action before acting on it, so none is sent twice.
 */
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppLogger } from '../common/app-logger';
import { RemediationPlanner } from './remediation.planner';
import { RemediationRelay } from './remediation.relay';

export const REMEDIATION_RELAY_INTERVAL = 'remediation-relay';
const DEFAULT_INTERVAL_MS = 5 * 60_000;

export function relayIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AUDIT_HUB_REMEDIATION_RELAY_MS;
  if (raw === undefined || raw === '') return DEFAULT_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || (ms > 0 && ms < 1000)) {
    throw new Error(
      `AUDIT_HUB_REMEDIATION_RELAY_MS: "${raw}" is not a whole number of milliseconds of at least 1000 (0 turns the relay off)`,
    );
  }
  return ms;
}

@Injectable()
export class RemediationRelayScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private passing: Promise<void> | null = null;

  constructor(
    private readonly planner: RemediationPlanner,
    private readonly relay: RemediationRelay,
    private readonly registry: SchedulerRegistry,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = relayIntervalFromEnv();
    if (!this.planner.enabled || intervalMs === 0) return;
    const timer = setInterval(() => void this.pass(), intervalMs);
    timer.unref();
    this.registry.addInterval(REMEDIATION_RELAY_INTERVAL, timer);
    this.logger.info('remediation relay scheduled', { everyMs: intervalMs });
  }

  /** One pass; a pass still under way when the next is due is not doubled. */
  pass(): Promise<void> {
    this.passing ??= (async () => {
      try {
        const result = await this.relay.run();
        if (result.sent || result.failed || result.skipped)
          this.logger.info('remediation relayed between runs', { ...result });
      } catch (err) {
        this.logger.error('remediation relay pass failed', { err });
      } finally {
        this.passing = null;
      }
    })();
    return this.passing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passing;
  }
}
