/**
 * Decides the ticket actions: from finding transitions (in their transaction), and once a run ended
 * (reminders for tickets still open, tickets for open findings that have none). A group's ticket is
 * open while any finding of the group is open or reopened, closed otherwise; a finding at or above
 * `remediation.minSeverity` is what gets a group a ticket, and once it has one the ticket follows
 * the whole group whatever the severities.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { severityRank, type FindingStatus, type Severity } from '@audit-hub/domain';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { FindingTransition } from '../findings/finding-transition.listener';
import { FindingEntity } from '../store/entities/finding.entity';
import { runInTransaction } from '../store/transaction';
import { RemediationOutboxStore, type GroupState, type NewAction } from './remediation-outbox.store';
import { dedupeMarker, ticketGroupKey } from './remediation.marker';
import type { RemediationActionKind } from './remediation.types';
import { TicketTextRenderer } from './ticket-text.renderer';
import { pushTo } from '../common/group-by';

const ACTIVE: FindingStatus[] = ['open', 'reopened'];
const DAY_MS = 86_400_000;

const isActive = (f: FindingEntity) => ACTIVE.includes(f.status);

@Injectable()
export class RemediationPlanner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly store: RemediationOutboxStore,
    private readonly renderer: TicketTextRenderer,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return !!this.config.remediation?.tracker;
  }

  private eligible(f: FindingEntity): boolean {
    return severityRank(f.severity) >= severityRank(this.config.remediation.minSeverity as Severity);
  }

  private groupKey(f: FindingEntity): string {
    return ticketGroupKey(f, this.config.remediation.grouping);
  }

  /** The actions a batch of transitions causes, queued in the transitions' own transaction. */
  async planTransitions(manager: EntityManager, transitions: FindingTransition[]): Promise<number> {
    if (!this.enabled || !transitions.length) return 0;
    const byGroup = new Map<string, FindingTransition[]>();
    for (const t of transitions) {
      const key = this.groupKey(t.finding);
      pushTo(byGroup, key, t);
    }
    const states = await this.store.groupStates(manager, [...byGroup.keys()]);
    const members = await this.members(manager, byGroup);
    const evidence = await this.store.latestEvents(
      manager,
      [...members.values()].flat().map((f) => f.key),
    );

    const actions: NewAction[] = [];
    for (const [groupKey, changes] of byGroup) {
      const group = members.get(groupKey)!;
      const action = this.decide(groupKey, group, changes, states.get(groupKey)!, evidence);
      if (action) actions.push(action);
    }
    await this.store.enqueue(manager, actions);
    return actions.length;
  }

  /**
   * After a run: a reminder for each open ticket whose findings are still open and that had none
   * for `reminderDays`, and a ticket for each open finding at or above the threshold whose group
   * has none (remediation turned on after the findings opened, a severity raised, a create that
   * failed for good).
   */
  async planAfterRun(runId: string): Promise<{ reminders: number; filed: number }> {
    if (!this.enabled) return { reminders: 0, filed: 0 };
    const tracker = this.config.remediation.tracker!;
    const now = this.clock.now();
    const at = now.toISOString();
    const intervalMs = this.config.remediation.reminderDays * DAY_MS;
    return runInTransaction(this.dataSource, async (tx) => {
      const active = await tx
        .getRepository(FindingEntity)
        .find({ where: { status: In(ACTIVE) }, order: { key: 'ASC' } });
      const groups = new Map<string, FindingEntity[]>();
      for (const f of active) pushTo(groups, this.groupKey(f), f);
      const states = await this.store.groupStates(tx, [...groups.keys()]);
      const evidence = await this.store.latestEvents(
        tx,
        active.map((f) => f.key),
      );
      const actions: NewAction[] = [];
      let reminders = 0;
      let filed = 0;
      for (const [groupKey, findings] of groups) {
        const state = states.get(groupKey)!;
        const marker = dedupeMarker(groupKey);
        if (state.projected === 'none') {
          if (!findings.some((f) => this.eligible(f))) continue;
          const ticket = this.renderer.ticket({ groupKey, marker, findings, evidence });
          actions.push({
            groupKey,
            findingKey: findings[0].key,
            marker,
            action: 'file',
            payload: ticket,
            createdAt: at,
            runId,
          });
          filed++;
          continue;
        }
        const t = state.ticket;
        if (state.projected !== 'open' || !t || t.state !== 'open' || t.tracker !== tracker) continue;
        if (state.pending.some((a) => a.action === 'remind')) continue;
        const last = Date.parse(t.lastReminderAt ?? t.createdAt);
        if (now.getTime() - last < intervalMs) continue;
        const ticket = this.renderer.ticket({ groupKey, marker, findings, evidence });
        actions.push({
          groupKey,
          findingKey: null,
          marker,
          action: 'remind',
          payload: { ...ticket, comment: this.renderer.reminder(findings, runId, at) },
          createdAt: at,
          runId,
        });
        reminders++;
      }
      await this.store.enqueue(tx, actions);
      return { reminders, filed };
    });
  }

  private decide(
    groupKey: string,
    group: FindingEntity[],
    changes: FindingTransition[],
    state: GroupState,
    evidence: Awaited<ReturnType<RemediationOutboxStore['latestEvents']>>,
  ): NewAction | undefined {
    const { runId, at } = changes[0];
    const marker = dedupeMarker(groupKey);
    const active = group.filter(isActive);
    const grouped = groupKey !== changes[0].finding.key;
    const came = changes.filter((c) => ACTIVE.includes(c.toStatus)).map((c) => c.finding);
    const resolved = changes.filter((c) => c.toStatus === 'resolved').map((c) => c.finding);
    const accepted = changes.filter((c) => c.toStatus === 'accepted').map((c) => c.finding);
    // The payload's findings are those the ticket is about; their `ticket` column follows it.
    const action = (kind: RemediationActionKind, findings: FindingEntity[], comment?: string): NewAction => ({
      groupKey,
      findingKey: changes[0].finding.key,
      marker,
      action: kind,
      payload: {
        ...this.renderer.ticket({ groupKey, marker, findings, evidence }),
        ...(comment !== undefined ? { comment } : {}),
      },
      createdAt: at,
      runId,
    });

    if (state.projected === 'none') {
      if (!active.some((f) => this.eligible(f))) return undefined;
      return action('file', active);
    }
    if (state.projected === 'closed') {
      if (!active.length) return undefined;
      return action('reopen', active, this.renderer.reopened(came.length ? came : active, runId, at));
    }
    if (!active.length) {
      if (!resolved.length && !accepted.length) return undefined;
      const comment = [
        resolved.length ? this.renderer.resolved(resolved, runId, at, 0) : undefined,
        accepted.length ? this.renderer.accepted(accepted, runId, 0) : undefined,
      ]
        .filter(Boolean)
        .join('\n\n');
      return action(resolved.length ? 'comment_close' : 'comment_accept_close', group, comment);
    }
    // The ticket stays open; only a grouped ticket has something to say about its members.
    if (!grouped) return undefined;
    const parts = [
      came.length ? this.renderer.joined(came, runId, at) : undefined,
      resolved.length ? this.renderer.resolved(resolved, runId, at, active.length) : undefined,
      accepted.length ? this.renderer.accepted(accepted, runId, active.length) : undefined,
    ].filter(Boolean);
    return parts.length ? action('comment', active, parts.join('\n\n')) : undefined;
  }

  /** The findings of each group as they stand in this transaction (a grouped ticket covers several). */
  private async members(
    manager: EntityManager,
    byGroup: Map<string, FindingTransition[]>,
  ): Promise<Map<string, FindingEntity[]>> {
    const out = new Map<string, FindingEntity[]>();
    for (const [groupKey, changes] of byGroup) {
      const first = changes[0].finding;
      if (groupKey === first.key) {
        out.set(groupKey, [first]);
        continue;
      }
      const rows = await manager
        .getRepository(FindingEntity)
        .find({ where: { controlId: first.controlId, service: first.service! }, order: { key: 'ASC' } });
      // The transitions' own objects are the freshest view of the findings they changed.
      const changed = new Map(changes.map((c) => [c.finding.key, c.finding]));
      out.set(
        groupKey,
        rows.map((r) => changed.get(r.key) ?? r),
      );
    }
    return out;
  }
}
