/**
 * The `reconcile --format json` document (interfaces.md), built from the store after a run: the
 * run and its sources, each control's status, every finding the run touched, and a summary.
 */
import { Injectable, Optional } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  CONTROL_CATALOG,
  controlDefinition,
  FINDING_STATUSES,
  FindingStatus,
  Severity,
  SEVERITIES,
} from '@audit-hub/domain';
import { RunEntity } from '../store/entities/run.entity';
import { SourceStatusEntity } from '../store/entities/source-status.entity';
import { ControlResultEntity } from '../store/entities/control-result.entity';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { chunk } from '../common/sql';
import { Redactor } from '../config/redactor';

export interface FindingView {
  key: string;
  controlId: string;
  title: string;
  severity: Severity;
  status: FindingStatus;
  subject: { type: string; ref: string; service: string | null; environment: string | null };
  reason: string;
  related: { type: string; ref: string }[];
  frameworks: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  ticket: { tracker: string; key: string; url?: string } | null;
  exception?: Record<string, unknown> | null;
}

export interface RunReport {
  run: {
    id: string;
    startedAt: string;
    finishedAt: string | null;
    status: string;
    error?: string | null;
    sources: {
      connector: string;
      stream: string;
      status: string;
      records: number;
      error: string | null;
      problems?: unknown[];
    }[];
  };
  controls: {
    id: string;
    status: string;
    reason: string | null;
    open: number;
    /** A partial control's undecided subjects, each with why (absent when none). */
    undecided?: { subjectRef: string; why: string }[];
  }[];
  findings: FindingView[];
  summary: {
    open: number;
    new: number;
    resolved: number;
    accepted: number;
    bySeverity: Record<Severity, number>;
  };
}

export function findingView(f: FindingEntity): FindingView {
  return {
    key: f.key,
    controlId: f.controlId,
    title: controlDefinition(f.controlId)?.title ?? f.controlId,
    severity: f.severity,
    status: f.status,
    subject: { type: f.subjectType, ref: f.subjectRef, service: f.service, environment: f.environment },
    reason: f.reason,
    related: f.related ?? [],
    frameworks: f.frameworks ?? [],
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
    ticket: f.ticket ? { tracker: f.ticket.tracker, key: f.ticket.key, url: f.ticket.url } : null,
    ...(f.exception ? { exception: f.exception } : {}),
  };
}

const SEVERITY_ORDER = new Map(SEVERITIES.map((s, i) => [s, i]));
const STATUS_ORDER = new Map(FINDING_STATUSES.map((s, i) => [s, i]));

@Injectable()
export class RunReportBuilder {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly redactor: Redactor = new Redactor(),
  ) {}

  /**
   * The document, redacted by value: what the store holds was redacted as it was written, and this
   * is the last step before it is printed or served (`reconcile --format json`, `/api/v1/runs/{id}`).
   */
  async build(runId: string): Promise<RunReport> {
    return this.redactor.redactDeep(await this.document(runId));
  }

  private async document(runId: string): Promise<RunReport> {
    const run = await this.dataSource.getRepository(RunEntity).findOneByOrFail({ id: runId });
    const sources = await this.dataSource
      .getRepository(SourceStatusEntity)
      .find({ where: { runId }, order: { connector: 'ASC', stream: 'ASC' } });
    const controlRows = await this.dataSource.getRepository(ControlResultEntity).findBy({ runId });
    const order = (id: string) => CONTROL_CATALOG.findIndex((c) => c.id === id);
    const events = await this.dataSource.getRepository(FindingEventEntity).findBy({ runId });
    const touchedKeys = [
      ...new Set([
        ...events.map((e) => e.findingKey),
        ...(
          await this.dataSource
            .getRepository(FindingEntity)
            .find({ select: { key: true }, where: { lastRunId: runId } })
        ).map((f) => f.key),
      ]),
    ];
    const findings: FindingEntity[] = [];
    for (const part of chunk(touchedKeys)) {
      findings.push(...(await this.dataSource.getRepository(FindingEntity).findBy({ key: In(part) })));
    }
    findings.sort(
      (a, b) =>
        (SEVERITY_ORDER.get(a.severity) ?? 9) - (SEVERITY_ORDER.get(b.severity) ?? 9) ||
        a.controlId.localeCompare(b.controlId) ||
        (STATUS_ORDER.get(a.status) ?? 9) - (STATUS_ORDER.get(b.status) ?? 9) ||
        a.subjectRef.localeCompare(b.subjectRef),
    );
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const openRows = await this.dataSource
      .getRepository(FindingEntity)
      .find({ select: { key: true, severity: true }, where: { status: In(['open', 'reopened']) } });
    for (const f of openRows) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const accepted = await this.dataSource
      .getRepository(FindingEntity)
      .count({ where: { status: 'accepted' } });
    return {
      run: {
        id: run.id,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        status: run.status,
        error: run.error,
        sources: sources.map((s) => ({
          connector: s.connector,
          stream: s.stream,
          status: s.status,
          records: s.records,
          error: s.error,
          ...(s.problems?.length ? { problems: s.problems } : {}),
        })),
      },
      controls: controlRows
        .sort((a, b) => order(a.controlId) - order(b.controlId))
        .map((c) => ({
          id: c.controlId,
          status: c.status,
          reason: c.reason,
          open: c.open,
          ...(c.undecided?.length ? { undecided: c.undecided } : {}),
        })),
      findings: findings.map(findingView),
      summary: {
        open: openRows.length,
        new: events.filter((e) => e.fromStatus === null && e.toStatus !== 'accepted').length,
        resolved: events.filter((e) => e.toStatus === 'resolved').length,
        accepted,
        bySeverity,
      },
    };
  }
}
