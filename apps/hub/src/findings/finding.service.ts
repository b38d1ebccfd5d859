/**
 * The finding lifecycle (controls.md): `open` when first seen, `resolved` when a later run
 * evaluates the subject and no longer flags it, `reopened` when it comes back, `accepted` while an
 * exception covers it. Keys are `<controlId>|<subject ref>`, so re-runs never duplicate. Every
 * transition is written as a finding event, with the run and the input it was decided on, in the
 * same transaction as the finding.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { bulkWrite } from '../store/bulk-write';
import { findingKey, FindingStatus, GDPR_TOKEN } from '@audit-hub/domain';
import { APP_CONFIG } from '../config/config.module';
import { runInTransaction } from '../store/transaction';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { chunk } from '../common/sql';
import type { Flag } from '../controls/control';
import type { EffectiveControl } from '../controls/control.registry';
import { ExceptionMatcher, type ExceptionConfig } from './exception.matcher';
import { ExceptionStore } from '../exceptions/exception.store';
import {
  FINDING_TRANSITION_LISTENERS,
  FindingTransition,
  FindingTransitionListener,
} from './finding-transition.listener';

const ACTIVE: FindingStatus[] = ['open', 'reopened', 'accepted'];

/** What a later sighting updates: everything but the key, the first sighting and the ticket. */
const UPDATED_COLUMNS = [
  'control_id',
  'subject_type',
  'subject_ref',
  'service',
  'environment',
  'team',
  'severity',
  'status',
  'reason',
  'related',
  'frameworks',
  'last_seen_at',
  'resolved_at',
  'resolved_by_run',
  'last_run_id',
  'exception',
];
const FINDING_COLUMNS = ['key', 'first_seen_at', 'ticket', ...UPDATED_COLUMNS];
const EVENT_COLUMNS = ['finding_key', 'run_id', 'from_status', 'to_status', 'at', 'reason', 'input'];

const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** A finding as its row stores it (JSON columns as text). */
function findingRow(f: FindingEntity): Record<string, unknown> {
  return {
    key: f.key,
    first_seen_at: f.firstSeenAt,
    ticket: json(f.ticket),
    control_id: f.controlId,
    subject_type: f.subjectType,
    subject_ref: f.subjectRef,
    service: f.service,
    environment: f.environment,
    team: f.team,
    severity: f.severity,
    status: f.status,
    reason: f.reason,
    related: json(f.related),
    frameworks: json(f.frameworks),
    last_seen_at: f.lastSeenAt,
    resolved_at: f.resolvedAt,
    resolved_by_run: f.resolvedByRun,
    last_run_id: f.lastRunId,
    exception: json(f.exception),
  };
}

function eventRow(e: Partial<FindingEventEntity>): Record<string, unknown> {
  return {
    finding_key: e.findingKey,
    run_id: e.runId,
    from_status: e.fromStatus ?? null,
    to_status: e.toStatus,
    at: e.at,
    reason: e.reason ?? null,
    input: json(e.input),
  };
}

/** Which subjects a control was evaluated for in this run (controls.md "Partial runs"). */
export interface EvaluationScope {
  /** No subject could be evaluated (a source every subject needs failed). */
  none: boolean;
  /** Connectors whose subjects could not be evaluated. */
  blockedConnectors: Set<string>;
}

export function isEvaluated(scope: EvaluationScope, subjectConnector: string | undefined): boolean {
  if (scope.none) return false;
  if (subjectConnector === undefined) return scope.blockedConnectors.size === 0;
  return !scope.blockedConnectors.has(subjectConnector);
}

/** The connector a subject ref belongs to (`gitlab:acme/x#1` → `gitlab`); none for services. */
export function subjectConnectorOf(subjectType: string, ref: string): string | undefined {
  if (subjectType === 'service') return undefined;
  const i = ref.indexOf(':');
  return i > 0 ? ref.slice(0, i) : undefined;
}

export interface ApplyResult {
  /** Keys of every finding this control touched in the run (flagged, or resolved by it). */
  touched: string[];
  opened: number;
  reopened: number;
  resolved: number;
  accepted: number;
  /** Open or reopened after the run (within this control). */
  open: number;
  flagged: number;
}

@Injectable()
export class FindingService {
  private readonly configExceptions: ExceptionConfig[];
  private readonly services: Map<string, { team?: string; personalData?: boolean }>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @Inject(FINDING_TRANSITION_LISTENERS) private readonly listeners: FindingTransitionListener[] = [],
    @Optional() private readonly exceptionStore?: ExceptionStore,
    @Optional() private readonly redactor: Redactor = new Redactor(),
  ) {
    this.configExceptions = config.exceptions ?? [];
    this.services = new Map(
      (config.services ?? []).map((s) => [s.name, { team: s.team, personalData: s.personalData }]),
    );
  }

  async apply(
    runId: string,
    now: Date,
    control: EffectiveControl,
    flags: Flag[],
    scope: EvaluationScope,
    /** Subjects the control could not decide on: their findings stay as they are. */
    undecided: ReadonlySet<string> = new Set(),
  ): Promise<ApplyResult> {
    const controlId = control.definition.id;
    const at = now.toISOString();
    const result: ApplyResult = {
      touched: [],
      opened: 0,
      reopened: 0,
      resolved: 0,
      accepted: 0,
      open: 0,
      flagged: 0,
    };
    // Exceptions from config and those approved through the API, as they stand at the run's clock.
    const exceptions = new ExceptionMatcher([
      ...this.configExceptions,
      ...((await this.exceptionStore?.active(now)) ?? []),
    ]);
    // Reasons, related refs and inputs quote upstream data: redacted by value before they are
    // stored, evented and handed to the ledger, whatever the control put in them.
    const evaluatedFlags = this.redactor.redactDeep(
      dedupeFlags(
        flags.filter((f) => isEvaluated(scope, f.subjectConnector) && !undecided.has(f.subjectRef)),
      ),
    );
    result.flagged = evaluatedFlags.length;

    await runInTransaction(this.dataSource, async (tx) => {
      const repo = tx.getRepository(FindingEntity);
      const existing = new Map((await repo.find({ where: { controlId } })).map((f) => [f.key, f] as const));
      const changed: FindingEntity[] = [];
      const events: Partial<FindingEventEntity>[] = [];
      const flaggedKeys = new Set<string>();

      for (const flag of evaluatedFlags) {
        const key = findingKey(controlId, flag.subjectRef);
        flaggedKeys.add(key);
        const prior = existing.get(key);
        const priorStatus = prior?.status;
        const exception = this.redactor.redactDeep(exceptions.covering(controlId, flag.subjectRef, now));
        const next: FindingStatus = exception
          ? 'accepted'
          : !prior
            ? 'open'
            : priorStatus === 'resolved'
              ? 'reopened'
              : priorStatus === 'accepted'
                ? 'open'
                : prior.status;
        const service = flag.service ?? null;
        const svc = service ? this.services.get(service) : undefined;
        const entity =
          prior ??
          repo.create({
            key,
            controlId,
            firstSeenAt: at,
            ticket: null,
            resolvedAt: null,
            resolvedByRun: null,
          });
        Object.assign(entity, {
          subjectType: flag.subjectType,
          subjectRef: flag.subjectRef,
          service,
          environment: flag.environment ?? null,
          team: svc?.team ?? null,
          severity: flag.severity ?? control.severity,
          status: next,
          reason: flag.reason,
          related: flag.related,
          frameworks: svc?.personalData
            ? [...control.definition.frameworks, GDPR_TOKEN]
            : [...control.definition.frameworks],
          lastSeenAt: at,
          lastRunId: runId,
          exception: exception ? { ...exception } : null,
          ...(next === 'reopened' ? { resolvedAt: null, resolvedByRun: null } : {}),
        });
        changed.push(entity);
        result.touched.push(key);
        if (priorStatus !== next) {
          events.push({
            findingKey: key,
            runId,
            fromStatus: priorStatus ?? null,
            toStatus: next,
            at,
            reason: exception
              ? `covered by an exception approved by ${exception.approvedBy}: ${exception.reason}`
              : flag.reason,
            input: { ...flag.input, ...(exception ? { exception } : {}) },
          });
          if (next === 'open') result.opened++;
          if (next === 'reopened') result.reopened++;
          if (next === 'accepted') result.accepted++;
        }
      }

      for (const prior of existing.values()) {
        if (flaggedKeys.has(prior.key) || !ACTIVE.includes(prior.status) || undecided.has(prior.subjectRef))
          continue;
        if (!isEvaluated(scope, subjectConnectorOf(prior.subjectType, prior.subjectRef))) continue;
        const from = prior.status;
        Object.assign(prior, {
          status: 'resolved',
          resolvedAt: at,
          resolvedByRun: runId,
          lastRunId: runId,
          exception: null,
        });
        changed.push(prior);
        result.touched.push(prior.key);
        result.resolved++;
        events.push({
          findingKey: prior.key,
          runId,
          fromStatus: from,
          toStatus: 'resolved',
          at,
          reason: `Evaluated by run ${runId} and no longer flagged.`,
          input: { runId },
        });
      }

      // One INSERT … ON CONFLICT per chunk of rows (PostgreSQL and SQLite alike), the rows bound as
      // one JSON parameter: no SELECT and write per finding, no ORM statement building. The first
      // sighting and the ticket (the relay's) are never overwritten.
      await bulkWrite(tx, 'finding', FINDING_COLUMNS, changed.map(findingRow), {
        upsert: { conflict: ['key'], update: UPDATED_COLUMNS },
      });
      await bulkWrite(tx, 'finding_event', EVENT_COLUMNS, events.map(eventRow));
      if (events.length && this.listeners.length) {
        const byKey = new Map(changed.map((f) => [f.key, f]));
        const transitions: FindingTransition[] = events.map((e) => ({
          runId,
          at,
          fromStatus: e.fromStatus ?? null,
          toStatus: e.toStatus!,
          reason: e.reason ?? '',
          input: e.input,
          finding: byKey.get(e.findingKey!)!,
        }));
        for (const l of this.listeners) await l.onTransitions(tx, transitions);
      }
      result.open = await repo.count({ where: { controlId, status: In(['open', 'reopened']) } });
    });
    return result;
  }

  /** Findings by key, for the run output. */
  async byKeys(keys: string[], manager: EntityManager = this.dataSource.manager): Promise<FindingEntity[]> {
    const out: FindingEntity[] = [];
    for (const part of chunk(keys))
      out.push(...(await manager.getRepository(FindingEntity).findBy({ key: In(part) })));
    return out;
  }
}

function dedupeFlags(flags: Flag[]): Flag[] {
  const seen = new Map<string, Flag>();
  for (const f of flags) if (!seen.has(f.subjectRef)) seen.set(f.subjectRef, f);
  return [...seen.values()];
}
