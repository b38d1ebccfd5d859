/**
 * Sends the remediation outbox to the configured tracker, in order per ticket group.
 *
 * Once only: trackers take no idempotency key, so a `file` searches for the group's marker first
 * and adopts what it finds; the ticket is recorded in the same transaction that marks the action
 * sent. If the process dies between the tracker's answer and that commit, the action is still
 * pending and the next relay finds the ticket by its marker. Where the tracker's search lags behind
 * its creates (Jira Cloud), a miss after a create that may have landed is trusted only once the
 * tracker's consistency delay has passed since that create.
 *
 * A tracker error that a retry can help (outage, 5xx, 429, timeout) keeps the action pending with
 * a backoff and ends the pass: the tracker is not hammered, and nothing queued is lost.
 */
import { Inject, Injectable } from '@nestjs/common';
import { isUpstreamError } from '@audit-hub/http';
import type { TicketRef, TrackerConnection } from '@audit-hub/plugin-sdk';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { HubError } from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry, type OpenConnection } from '../connectors/connector.registry';
import type { RemediationActionEntity } from './remediation-action.entity';
import { RemediationOutboxStore } from './remediation-outbox.store';
import { pushTo } from '../common/group-by';

export interface RelayResult {
  /** Actions sent in this pass (tickets filed or adopted, comments, closes, reopens). */
  sent: number;
  /** Actions the tracker refused for good in this pass (a retry cannot help); see `last_error`. */
  failed: number;
  /** Actions with nothing to act on (a close for a group that never had a ticket). */
  skipped: number;
  /** Actions still queued after the pass (waiting for a backoff, a consistency delay, or the tracker). */
  pending: number;
}

/**
 * A tracker whose search may miss a ticket created a moment ago says how long (ms); the SDK's
 * TrackerConnection does not declare it yet, so it is read when present.
 */
type Tracker = TrackerConnection & { searchConsistencyMs?: number };

type Outcome = 'sent' | 'failed' | 'skipped' | 'deferred' | 'retry';

/** How long a relay holds an action before another may take it (a crashed relay's lease expires). */
export const LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 60 * 60_000;
const MAX_ERROR_LENGTH = 1000;

/** A tracker call that failed: the cause decides between retry and failure. */
class TrackerCallError extends Error {
  constructor(
    readonly what: string,
    readonly failure: unknown,
  ) {
    super(`${what}: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

@Injectable()
export class RemediationRelay {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: AppLogger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RemediationOutboxStore,
    private readonly connectors: ConnectorRegistry,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    logger: AppLogger,
  ) {
    this.log = logger.child({ component: 'remediation-relay' });
  }

  /** One pass over the outbox; passes in this process run one after the other. */
  run(): Promise<RelayResult> {
    const pass = this.chain.then(() => this.pass());
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<RelayResult> {
    const result: RelayResult = { sent: 0, failed: 0, skipped: 0, pending: 0 };
    const trackerId = this.config.remediation?.tracker;
    const actions = trackerId ? await this.store.pending() : [];
    if (!trackerId || !actions.length) {
      result.pending = actions.length || (await this.store.countPending());
      return result;
    }

    const groups = new Map<string, RemediationActionEntity[]>();
    for (const a of actions) pushTo(groups, a.groupKey, a);

    let open: OpenConnection | undefined;
    const tracker = async (): Promise<Tracker> => {
      open ??= await this.connectors.connect(trackerId);
      const t = open.connection.tracker;
      if (!t)
        throw new HubError(
          'connector_config_invalid',
          `remediation.tracker: connector "${trackerId}" (plugin ${open.instance.pluginRef}) cannot file tickets: its plugin has no tracker capability`,
        );
      return t;
    };

    try {
      groups: for (const list of groups.values()) {
        for (const action of list) {
          const now = this.clock.now().toISOString();
          // Order within a group: an action waits for the ones before it.
          if (action.nextAttemptAt && action.nextAttemptAt > now) continue groups;
          if (!(await this.store.claim(action.id, now, this.at(LEASE_MS)))) continue groups;
          let outcome: Outcome;
          try {
            outcome = await this.process(action, await tracker(), trackerId);
          } catch (err) {
            await this.store.release(action.id).catch(() => undefined);
            throw err;
          }
          if (outcome === 'sent' || outcome === 'failed' || outcome === 'skipped') {
            result[outcome]++;
            continue;
          }
          if (outcome === 'deferred') continue groups;
          break groups;
        }
      }
    } finally {
      await open?.close().catch(() => undefined);
    }
    result.pending = await this.store.countPending();
    return result;
  }

  private async process(
    action: RemediationActionEntity,
    tracker: Tracker,
    trackerId: string,
  ): Promise<Outcome> {
    try {
      switch (action.action) {
        case 'file':
          return await this.file(action, tracker, trackerId);
        case 'reopen':
          return await this.reopen(action, tracker, trackerId);
        case 'remind':
        case 'comment':
          return await this.comment(action, tracker, trackerId);
        case 'comment_close':
        case 'comment_accept_close':
          return await this.close(action, tracker, trackerId);
        default:
          await this.store.recordFailed(
            action.id,
            action.attempts + 1,
            `unknown action "${String(action.action)}"`,
          );
          return 'failed';
      }
    } catch (err) {
      if (!(err instanceof TrackerCallError)) throw err;
      return this.trackerFailed(action, tracker, err);
    }
  }

  /** Files the group's ticket: adopts one found by marker, else creates it. */
  private async file(action: RemediationActionEntity, tracker: Tracker, trackerId: string): Promise<Outcome> {
    const recorded = await this.store.ticket(action.groupKey);
    if (recorded && recorded.tracker === trackerId) {
      if (recorded.state === 'closed')
        await this.call('reopen ticket', () =>
          tracker.reopenTicket(recorded.ticketKey, this.reopenNote(action)),
        );
      await this.store.recordSent(action, this.now(), { state: 'open' });
      return 'sent';
    }
    const found = await this.call('search ticket', () => tracker.findTicket(action.marker));
    if (found) {
      if (found.state === 'closed')
        await this.call('reopen ticket', () => tracker.reopenTicket(found.key, this.reopenNote(action)));
      await this.store.recordFiled(action, { ...found, state: 'open' }, trackerId, this.now());
      this.log.info('ticket adopted', { group: action.groupKey, ticket: found.key });
      return 'sent';
    }
    // A create sent earlier may have landed and still be missing from a lagging search.
    const consistencyMs = tracker.searchConsistencyMs ?? 0;
    if (action.createAttemptedAt && consistencyMs > 0) {
      const trustAt = Date.parse(action.createAttemptedAt) + consistencyMs;
      if (this.clock.now().getTime() < trustAt) {
        await this.store.defer(action.id, new Date(trustAt).toISOString());
        return 'deferred';
      }
    }
    await this.store.markCreateAttempt(action.id, this.now());
    const { title, body, labels, severity } = action.payload;
    const ref: TicketRef = await this.call('create ticket', () =>
      tracker.createTicket({ marker: action.marker, title, body, labels, severity }),
    );
    await this.store.recordFiled(action, ref, trackerId, this.now());
    this.log.info('ticket filed', { group: action.groupKey, ticket: ref.key });
    return 'sent';
  }

  private async reopen(
    action: RemediationActionEntity,
    tracker: Tracker,
    trackerId: string,
  ): Promise<Outcome> {
    const ticket = await this.ticketFor(action, tracker, trackerId);
    // Never filed (its create failed for good, or remediation started later): file it now.
    if (!ticket) return this.file(action, tracker, trackerId);
    if (action.stepsDone < 1) {
      await this.call('reopen ticket', () => tracker.reopenTicket(ticket.key));
      await this.store.recordStep(action.id, 1);
    }
    const comment = action.payload.comment;
    if (comment) await this.call('comment', () => tracker.comment(ticket.key, comment));
    await this.store.recordSent(action, this.now(), { state: 'open' });
    return 'sent';
  }

  private async comment(
    action: RemediationActionEntity,
    tracker: Tracker,
    trackerId: string,
  ): Promise<Outcome> {
    const ticket = await this.ticketFor(action, tracker, trackerId);
    if (!ticket) return this.skip(action);
    const comment = action.payload.comment;
    if (comment) await this.call('comment', () => tracker.comment(ticket.key, comment));
    const at = this.now();
    await this.store.recordSent(action, at, action.action === 'remind' ? { lastReminderAt: at } : {});
    return 'sent';
  }

  /** Comment, then close: the comment is recorded as done, so a retry after a failed close does not repeat it. */
  private async close(
    action: RemediationActionEntity,
    tracker: Tracker,
    trackerId: string,
  ): Promise<Outcome> {
    const ticket = await this.ticketFor(action, tracker, trackerId);
    if (!ticket) return this.skip(action);
    const comment = action.payload.comment;
    if (action.stepsDone < 1 && comment) {
      await this.call('comment', () => tracker.comment(ticket.key, comment));
      await this.store.recordStep(action.id, 1);
    }
    await this.call('close ticket', () => tracker.closeTicket(ticket.key));
    await this.store.recordSent(action, this.now(), { state: 'closed' });
    return 'sent';
  }

  /** The group's recorded ticket in this tracker, else the one its marker finds (then recorded). */
  private async ticketFor(
    action: RemediationActionEntity,
    tracker: Tracker,
    trackerId: string,
  ): Promise<{ key: string } | null> {
    const recorded = await this.store.ticket(action.groupKey);
    if (recorded && recorded.tracker === trackerId) return { key: recorded.ticketKey };
    const found = await this.call('search ticket', () => tracker.findTicket(action.marker));
    if (!found) return null;
    await this.store.adoptTicket(action, found, trackerId, this.now());
    return { key: found.key };
  }

  private async skip(action: RemediationActionEntity): Promise<Outcome> {
    await this.store.recordSkipped(action.id, 'no ticket was filed for this group', this.now());
    return 'skipped';
  }

  private async trackerFailed(
    action: RemediationActionEntity,
    tracker: Tracker,
    err: TrackerCallError,
  ): Promise<Outcome> {
    const attempts = action.attempts + 1;
    const message = this.describe(err);
    const retryable = isUpstreamError(err.failure) && err.failure.retryable;
    if (!retryable) {
      await this.store.recordFailed(action.id, attempts, message);
      this.log.warn('ticket action failed', {
        group: action.groupKey,
        action: action.action,
        error: message,
      });
      return 'failed';
    }
    let next = this.clock.now().getTime() + backoffMs(attempts);
    // Re-read: the create attempt may have been recorded in this very pass.
    const attempted = (await this.store.action(action.id))?.createAttemptedAt;
    if (attempted) next = Math.max(next, Date.parse(attempted) + (tracker.searchConsistencyMs ?? 0));
    await this.store.recordRetry(action.id, attempts, new Date(next).toISOString(), message);
    this.log.warn('tracker unavailable, action kept queued', {
      group: action.groupKey,
      action: action.action,
      attempts,
      error: message,
    });
    return 'retry';
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new TrackerCallError(what, err);
    }
  }

  private describe(err: TrackerCallError): string {
    const text = this.redactor.redact(err.message);
    return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
  }

  private reopenNote(action: RemediationActionEntity): string {
    return this.redactor.redact(
      `Reopened by audit-hub: its finding is open again${action.runId ? ` (run ${action.runId})` : ''}.`,
    );
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private at(offsetMs: number): string {
    return new Date(this.clock.now().getTime() + offsetMs).toISOString();
  }
}
