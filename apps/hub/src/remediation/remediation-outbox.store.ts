/**
 * Every database read and write of remediation: queuing actions in the caller's transaction (the
 * finding transition's), and the relay's commits, each in a transaction of its own. Recording a
 * filed ticket and marking its action sent happen in ONE transaction: if the process dies between
 * the tracker's answer and that commit, the action is still pending and the next relay finds the
 * ticket by its marker instead of creating another.
 */
import { Injectable, Optional } from '@nestjs/common';
import { EvidenceLedger } from '../evidence/evidence.ledger';
import { ticketActionEntry, type TicketAction } from '../evidence/evidence-entries';
import { DataSource, EntityManager, In, IsNull, LessThanOrEqual, Or } from 'typeorm';
import type { TicketRef } from '@audit-hub/plugin-sdk';
import { chunk } from '../common/sql';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { FindingEntity } from '../store/entities/finding.entity';
import { runInTransaction } from '../store/transaction';
import { RemediationActionEntity } from './remediation-action.entity';
import { RemediationTicketEntity } from './remediation-ticket.entity';
import type { RemediationActionKind, RemediationPayload, TicketState } from './remediation.types';
import type { EvidenceRef } from './ticket-text.renderer';

/** Where a group's ticket stands once every queued action of it is sent. */
export type ProjectedState = 'none' | TicketState;

export interface GroupState {
  ticket: RemediationTicketEntity | null;
  pending: RemediationActionEntity[];
  projected: ProjectedState;
}

export interface NewAction {
  groupKey: string;
  findingKey: string | null;
  marker: string;
  action: RemediationActionKind;
  payload: RemediationPayload;
  createdAt: string;
  runId: string | null;
}

/** The state a queued action leaves its ticket in. */
export function stateAfter(action: RemediationActionKind, before: ProjectedState): ProjectedState {
  if (action === 'file' || action === 'reopen') return 'open';
  if (action === 'comment_close' || action === 'comment_accept_close')
    return before === 'none' ? 'none' : 'closed';
  return before;
}

/** How an outbox action reads in the evidence ledger. */
const LEDGER_ACTION: Record<string, TicketAction> = {
  file: 'create',
  remind: 'comment',
  comment: 'comment',
  comment_close: 'close',
  comment_accept_close: 'close',
  reopen: 'reopen',
};

@Injectable()
export class RemediationOutboxStore {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly ledger?: EvidenceLedger,
  ) {}

  /** Every ticket action is a ledger entry, appended in the transaction that records it. */
  private async evidence(
    tx: EntityManager,
    action: RemediationActionEntity,
    kind: TicketAction,
    tracker: string,
    ticket: string | null,
    at: string,
  ): Promise<void> {
    if (!this.ledger) return;
    await this.ledger.append(tx, [
      ticketActionEntry({
        runId: action.runId,
        findingKey: action.findingKey ?? action.groupKey,
        action: kind,
        tracker,
        ticket,
        dedupeKey: action.marker,
        at,
      } as any),
    ]);
  }

  // --- Queuing, in the caller's transaction. ---------------------------------------------------

  /** Each group's ticket and pending actions, and where its ticket will stand once they are sent. */
  async groupStates(manager: EntityManager, groupKeys: string[]): Promise<Map<string, GroupState>> {
    const keys = [...new Set(groupKeys)];
    const states = new Map<string, GroupState>(
      keys.map((k) => [k, { ticket: null, pending: [], projected: 'none' }]),
    );
    for (const part of chunk(keys)) {
      for (const t of await manager.getRepository(RemediationTicketEntity).findBy({ groupKey: In(part) })) {
        states.get(t.groupKey)!.ticket = t;
      }
      const pending = await manager
        .getRepository(RemediationActionEntity)
        .find({ where: { groupKey: In(part), status: 'pending' }, order: { id: 'ASC' } });
      for (const a of pending) states.get(a.groupKey)!.pending.push(a);
    }
    for (const state of states.values()) {
      let projected: ProjectedState = state.ticket ? state.ticket.state : 'none';
      for (const a of state.pending) projected = stateAfter(a.action, projected);
      state.projected = projected;
    }
    return states;
  }

  async enqueue(manager: EntityManager, actions: NewAction[]): Promise<void> {
    const rows = actions.map((a) => ({
      ...a,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      sentAt: null,
      stepsDone: 0,
      createAttemptedAt: null,
      leaseUntil: null,
    }));
    for (const part of chunk(rows, 100)) await manager.getRepository(RemediationActionEntity).insert(part);
  }

  /** The latest finding event of each finding: the evidence a ticket points to. */
  async latestEvents(manager: EntityManager, findingKeys: string[]): Promise<Map<string, EvidenceRef>> {
    const out = new Map<string, EvidenceRef>();
    for (const part of chunk([...new Set(findingKeys)])) {
      const events = await manager
        .getRepository(FindingEventEntity)
        .find({ where: { findingKey: In(part) }, order: { id: 'DESC' } });
      for (const e of events)
        if (!out.has(e.findingKey))
          out.set(e.findingKey, { eventId: e.id, runId: e.runId, at: e.at, toStatus: e.toStatus });
    }
    return out;
  }

  // --- The relay's reads and commits. ----------------------------------------------------------

  /** Pending actions, oldest first (the relay keeps their order within each group). */
  pending(): Promise<RemediationActionEntity[]> {
    return runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).find({ where: { status: 'pending' }, order: { id: 'ASC' } }),
    );
  }

  action(id: number): Promise<RemediationActionEntity | null> {
    return runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).findOneBy({ id }),
    );
  }

  countPending(): Promise<number> {
    return runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).count({ where: { status: 'pending' } }),
    );
  }

  /** Takes the action for this relay until `until`, unless another relay holds it; true when taken. */
  async claim(id: number, now: string, until: string): Promise<boolean> {
    const result = await runInTransaction(this.dataSource, (tx) =>
      tx
        .getRepository(RemediationActionEntity)
        .update(
          { id, status: 'pending', leaseUntil: Or(IsNull(), LessThanOrEqual(now)) },
          { leaseUntil: until },
        ),
    );
    return (result.affected ?? 0) === 1;
  }

  async release(id: number): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).update({ id }, { leaseUntil: null }),
    );
  }

  ticket(groupKey: string): Promise<RemediationTicketEntity | null> {
    return runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationTicketEntity).findOneBy({ groupKey }),
    );
  }

  /** Committed before the create request goes out, so a later attempt knows one may have landed. */
  async markCreateAttempt(id: number, at: string): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).update({ id }, { createAttemptedAt: at }),
    );
  }

  async defer(id: number, until: string): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).update({ id }, { nextAttemptAt: until, leaseUntil: null }),
    );
  }

  async recordStep(id: number, stepsDone: number): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx.getRepository(RemediationActionEntity).update({ id }, { stepsDone }),
    );
  }

  /** A ticket found by its marker for a group that had none recorded: remember it. */
  async adoptTicket(
    action: RemediationActionEntity,
    ref: TicketRef,
    tracker: string,
    at: string,
  ): Promise<void> {
    await runInTransaction(this.dataSource, async (tx) => {
      await this.saveTicket(tx, action, ref, tracker, at);
      await this.linkFindings(tx, action, tracker, ref);
      await this.evidence(tx, action, 'found_existing', tracker, ref.key, at);
    });
  }

  /** The ticket filed (or adopted) and its action sent, in one transaction. */
  async recordFiled(
    action: RemediationActionEntity,
    ref: TicketRef,
    tracker: string,
    at: string,
  ): Promise<void> {
    await runInTransaction(this.dataSource, async (tx) => {
      await this.saveTicket(tx, action, { ...ref, state: 'open' }, tracker, at);
      await this.markSent(tx, action.id, at);
      await this.linkFindings(tx, action, tracker, ref);
      await this.evidence(tx, action, LEDGER_ACTION[action.action] ?? 'update', tracker, ref.key, at);
    });
  }

  /** The action sent, and the ticket updated with what it did, in one transaction. */
  async recordSent(
    action: RemediationActionEntity,
    at: string,
    ticket: Partial<Pick<RemediationTicketEntity, 'state' | 'lastReminderAt'>> = {},
  ): Promise<void> {
    await runInTransaction(this.dataSource, async (tx) => {
      await this.markSent(tx, action.id, at);
      const row = await tx.getRepository(RemediationTicketEntity).findOneBy({ groupKey: action.groupKey });
      if (!row) return;
      await tx
        .getRepository(RemediationTicketEntity)
        .update({ groupKey: action.groupKey }, { ...ticket, updatedAt: at });
      await this.linkFindings(tx, action, row.tracker, { key: row.ticketKey, url: row.url ?? '' });
      await this.evidence(
        tx,
        action,
        LEDGER_ACTION[action.action] ?? 'update',
        row.tracker,
        row.ticketKey,
        at,
      );
    });
  }

  async recordRetry(id: number, attempts: number, nextAttemptAt: string, error: string): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx
        .getRepository(RemediationActionEntity)
        .update({ id }, { attempts, nextAttemptAt, lastError: error, leaseUntil: null }),
    );
  }

  async recordFailed(id: number, attempts: number, error: string): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx
        .getRepository(RemediationActionEntity)
        .update({ id }, { status: 'failed', attempts, lastError: error, leaseUntil: null }),
    );
  }

  async recordSkipped(id: number, why: string, at: string): Promise<void> {
    await runInTransaction(this.dataSource, (tx) =>
      tx
        .getRepository(RemediationActionEntity)
        .update({ id }, { status: 'skipped', lastError: why, sentAt: at, leaseUntil: null }),
    );
  }

  private async markSent(tx: EntityManager, id: number, at: string): Promise<void> {
    await tx
      .getRepository(RemediationActionEntity)
      .update({ id }, { status: 'sent', sentAt: at, lastError: null, leaseUntil: null });
  }

  private async saveTicket(
    tx: EntityManager,
    action: RemediationActionEntity,
    ref: TicketRef,
    tracker: string,
    at: string,
  ): Promise<void> {
    const repo = tx.getRepository(RemediationTicketEntity);
    const existing = await repo.findOneBy({ groupKey: action.groupKey });
    await repo.save({
      groupKey: action.groupKey,
      tracker,
      ticketKey: ref.key,
      url: ref.url || null,
      state: ref.state,
      marker: action.marker,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      lastReminderAt:
        existing?.tracker === tracker && existing.ticketKey === ref.key ? existing.lastReminderAt : null,
    });
  }

  /** The findings of the ticket show it (`ticket` in findings and reports). */
  private async linkFindings(
    tx: EntityManager,
    action: RemediationActionEntity,
    tracker: string,
    ref: Pick<TicketRef, 'key' | 'url'>,
  ): Promise<void> {
    const keys = action.payload.findingKeys ?? (action.findingKey ? [action.findingKey] : []);
    for (const part of chunk(keys)) {
      await tx
        .getRepository(FindingEntity)
        .update(
          { key: In(part) },
          { ticket: { tracker, key: ref.key, ...(ref.url ? { url: ref.url } : {}) } },
        );
    }
  }
}
