/**
 * "What did we know on date D" (the as-of question): findings as they stood at an instant,
 * replayed from their finding_event history, and records as they stood, from the versions whose
 * `[valid_from, valid_to)` holds it (records.md). Instants are the hub's own (the run clock that
 * wrote an event or a version), not the upstream's.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThanOrEqual } from 'typeorm';
import type { ChangeApprovalRecord, ChangeRecord, FindingStatus } from '@audit-hub/domain';
import { chunk, sqlQuery } from '../common/sql';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { normalizeInstant, toInstant, type Instant } from '../store/instant';
import { RecordStore } from '../store/record.store';

/** A finding as it stood at an instant. */
export interface FindingAsOf {
  /** The stored finding (its current fields); use the fields below for the as-of view. */
  finding: FindingEntity;
  status: FindingStatus;
  statusSince: Instant;
  firstSeenAt: Instant;
  /** When it was resolved, if it stood resolved. */
  resolvedAt: Instant | null;
  /** The reason of the last flagging transition (open/reopened) at or before the instant. */
  reason: string;
  /** The exception that covered it, if it stood accepted. */
  exception: Record<string, unknown> | null;
  /** Its transitions at or before the instant, oldest first. */
  events: FindingEventEntity[];
}

/** A change request as it stood at an instant (instants normalized as in the projection). */
export interface ChangeAsOf {
  connector: string;
  number: string;
  type: ChangeRecord['type'];
  state: ChangeRecord['state'];
  approval: ChangeRecord['approval'];
  approvalSetAt: Instant | null;
  plannedStart: Instant | null;
  plannedEnd: Instant | null;
  closedAt: Instant | null;
  requestedBy: string | null;
  assignedTo: string | null;
  ciName: string | null;
}

export interface ChangeApprovalAsOf {
  connector: string;
  change: string;
  approver: string;
  state: ChangeApprovalRecord['state'];
  decidedAt: Instant | null;
}

const ACTIVE: readonly FindingStatus[] = ['open', 'reopened', 'accepted'];

export function isActive(status: FindingStatus | null | undefined): boolean {
  return !!status && ACTIVE.includes(status);
}

function byTime(a: Pick<FindingEventEntity, 'at' | 'id'>, b: Pick<FindingEventEntity, 'at' | 'id'>): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id;
}

/** A finding's status at `at` from its events (any order); null when it did not exist yet. */
export function statusAt(
  events: readonly Pick<FindingEventEntity, 'at' | 'id' | 'toStatus'>[],
  at: Instant,
): FindingStatus | null {
  let last: Pick<FindingEventEntity, 'at' | 'id' | 'toStatus'> | undefined;
  for (const e of events) {
    if (e.at > at) continue;
    if (!last || byTime(e, last) > 0) last = e;
  }
  return last?.toStatus ?? null;
}

/** Replays one finding's events up to `at`; undefined when it had none by then. */
export function replayFinding(
  finding: FindingEntity,
  allEvents: readonly FindingEventEntity[],
  at: Instant,
): FindingAsOf | undefined {
  const events = allEvents.filter((e) => e.at <= at).sort(byTime);
  if (!events.length) return undefined;
  const last = events[events.length - 1];
  const flagged = [...events].reverse().find((e) => e.toStatus === 'open' || e.toStatus === 'reopened');
  const input = (last.input ?? null) as { exception?: Record<string, unknown> } | null;
  return {
    finding,
    status: last.toStatus,
    statusSince: last.at,
    firstSeenAt: events[0].at,
    resolvedAt: last.toStatus === 'resolved' ? last.at : null,
    reason: flagged?.reason ?? finding.reason,
    exception: last.toStatus === 'accepted' ? (input?.exception ?? finding.exception ?? null) : null,
    events,
  };
}

@Injectable()
export class AsOfService {
  private readonly records: RecordStore;

  constructor(private readonly dataSource: DataSource) {
    this.records = new RecordStore(dataSource);
  }

  /** Every finding that existed at `at`, with the status its history gives it then. */
  async findingsAsOf(at: Date): Promise<FindingAsOf[]> {
    const instant = toInstant(at);
    const events = await this.dataSource.getRepository(FindingEventEntity).find({
      where: { at: LessThanOrEqual(instant) },
      order: { at: 'ASC', id: 'ASC' },
    });
    const byKey = new Map<string, FindingEventEntity[]>();
    for (const e of events) {
      const list = byKey.get(e.findingKey) ?? [];
      list.push(e);
      byKey.set(e.findingKey, list);
    }
    const out: FindingAsOf[] = [];
    for (const keys of chunk([...byKey.keys()])) {
      const findings = await this.dataSource.getRepository(FindingEntity).findBy({ key: In(keys) });
      for (const f of findings) {
        const replayed = replayFinding(f, byKey.get(f.key) ?? [], instant);
        if (replayed) out.push(replayed);
      }
    }
    return out.sort((a, b) => compare(a.finding.key, b.finding.key));
  }

  /** The change requests with these numbers (of any change connector) as they stood at `at`. */
  async changesAsOf(at: Date, numbers: readonly string[]): Promise<ChangeAsOf[]> {
    if (!numbers.length) return [];
    const versions = await this.records.asOf('change', at, { externalIds: numbers });
    return versions.map((v) => ({
      connector: v.connector,
      number: v.data.number ?? v.externalId,
      type: v.data.type,
      state: v.data.state,
      approval: v.data.approval,
      approvalSetAt: instant(v.data.approvalSetAt),
      plannedStart: instant(v.data.plannedStart),
      plannedEnd: instant(v.data.plannedEnd),
      closedAt: instant(v.data.closedAt),
      requestedBy: v.data.requestedBy ?? null,
      assignedTo: v.data.assignedTo ?? null,
      ciName: v.data.ci?.name ?? null,
    }));
  }

  /** The approval records of these changes as they stood at `at`. */
  async changeApprovalsAsOf(at: Date, numbers: readonly string[]): Promise<ChangeApprovalAsOf[]> {
    const ids: string[] = [];
    for (const part of chunk([...new Set(numbers)])) {
      const rows = await sqlQuery<{ external_id: string }>(
        this.dataSource,
        'SELECT external_id FROM change_approval WHERE change_number IN (:...numbers)',
        { numbers: part },
      );
      ids.push(...rows.map((r) => r.external_id));
    }
    if (!ids.length) return [];
    const versions = await this.records.asOf('change-approval', at, { externalIds: ids });
    return versions.map((v) => ({
      connector: v.connector,
      change: v.data.change,
      approver: v.data.approver,
      state: v.data.state,
      decidedAt: instant(v.data.decidedAt),
    }));
  }
}

function instant(value: string | undefined | null): Instant | null {
  return value ? (normalizeInstant(value) ?? null) : null;
}

/** Binary order, the same on every database (PostgreSQL's collation and SQLite's differ). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
