/**
 * GET /findings and GET /findings/:key: stored findings filtered on allow-listed columns, keyset-
 * paginated, optionally as they stood at an instant (each finding's status replayed from its
 * events up to then), scoped to the caller's team; and one finding with its history and the
 * evidence-ledger entries about it.
 */
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { CONTROL_CATALOG, SEVERITIES } from '@audit-hub/domain';
import { Clock } from '../common/clock';
import { sqlQuery } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { Principal } from '../auth/principal';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { findingView, FindingView } from '../runs/run-report.builder';
import { decodeCursor, encodeCursor, Page } from './cursor';
import { findingDue, type FindingDue } from './finding-due';
import { DEFAULT_LIMIT } from './dto/page-query.dto';
import type { FindingsQueryDto } from './dto/findings-query.dto';
import { instantOf, splitList } from './dto/validators';
import { TablePresence } from './table-presence';
import { effectiveTeam } from './team-scope';

/** A finding as the API shows it: the `reconcile --format json` shape plus its team. */
export interface ApiFinding extends FindingView {
  team: string | null;
  resolvedAt: string | null;
}

/** A finding of GET /findings: with its age and due date (`remediation.sla`). */
export type ListedFinding = ApiFinding & FindingDue;

export interface FindingPage extends Page<ListedFinding> {
  /** The instant statuses are given as of; null for now. */
  asOf: string | null;
}

export interface FindingDetail extends ApiFinding, FindingDue {
  lastRunId: string;
  resolvedByRun: string | null;
  history: {
    at: string;
    runId: string;
    from: string | null;
    to: string;
    reason: string | null;
    input: unknown;
  }[];
  evidence: { ledger: boolean; entries: { seq: number; type: string; at: string; runId: string | null }[] };
}

const SEVERITY_RANK = `CASE f.severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${SEVERITIES.length} END`;

/** Allow-listed sort keys → SQL over `finding f` (never user text). */
const SORT_SQL: Record<string, string> = {
  severity: SEVERITY_RANK,
  key: 'f.key',
  control: 'f.control_id',
  firstSeenAt: 'f.first_seen_at',
  lastSeenAt: 'f.last_seen_at',
};

/** The last transition at or before :asOf: the finding's status then (null: it did not exist yet). */
const STATUS_AS_OF = `(SELECT e.to_status FROM finding_event e
  WHERE e.finding_key = f.key AND e.at <= :asOf ORDER BY e.at DESC, e.id DESC LIMIT 1)`;

export function toApiFinding(f: FindingEntity): ApiFinding {
  return { ...findingView(f), team: f.team, resolvedAt: f.resolvedAt };
}

@Injectable()
export class FindingsReadService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redactor: Redactor,
    private readonly tables: TablePresence,
    private readonly clock: Clock,
  ) {}

  async list(q: FindingsQueryDto, principal: Principal): Promise<FindingPage> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const sortName = (q.sort ?? 'severity').replace(/^-/, '');
    const descending = q.sort?.startsWith('-') ?? false;
    const sortSql = SORT_SQL[sortName];
    const asOf = q.asOf ? instantOf(q.asOf) : null;
    const params: Record<string, unknown> = { limit: limit + 1 };
    const where: string[] = [];

    const team = effectiveTeam(principal, q.team);
    if (team !== undefined) {
      where.push('f.team = :team');
      params.team = team;
    }
    if (q.control) {
      where.push('f.control_id = :control');
      params.control = q.control;
    }
    if (q.service) {
      where.push('f.service = :service');
      params.service = q.service;
    }
    const severities = splitList(q.severity);
    if (severities?.length) {
      where.push('f.severity IN (:...severities)');
      params.severities = severities;
    }
    if (q.framework) {
      const { controls, personalDataServices } = this.frameworkScope(q.framework);
      const clauses: string[] = [];
      if (controls.length) {
        clauses.push('f.control_id IN (:...fwControls)');
        params.fwControls = controls;
      }
      if (personalDataServices.length) {
        clauses.push('f.service IN (:...fwServices)');
        params.fwServices = personalDataServices;
      }
      where.push(clauses.length ? `(${clauses.join(' OR ')})` : '1 = 0');
    }
    if (asOf) params.asOf = asOf;

    const outer: string[] = ['x.eff_status IS NOT NULL'];
    const statuses = splitList(q.status);
    if (statuses?.length) {
      outer.push('x.eff_status IN (:...statuses)');
      params.statuses = statuses;
    }
    const listId = `findings:${q.sort ?? 'severity'}:${asOf ?? 'now'}`;
    if (q.cursor) {
      const [value, key] = decodeCursor(q.cursor, listId, 2);
      const op = descending ? '<' : '>';
      outer.push(
        `(x.sort_value ${op} :cursorValue OR (x.sort_value = :cursorValue AND x.key ${op} :cursorKey))`,
      );
      params.cursorValue = value;
      params.cursorKey = key;
    }
    const dir = descending ? 'DESC' : 'ASC';
    const rows = await sqlQuery<{ key: string; eff_status: string; sort_value: string | number }>(
      this.dataSource,
      `SELECT x.key, x.eff_status, x.sort_value FROM (
         SELECT f.key AS key, ${asOf ? STATUS_AS_OF : 'f.status'} AS eff_status, ${sortSql} AS sort_value
         FROM finding f ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ) x
       WHERE ${outer.join(' AND ')}
       ORDER BY x.sort_value ${dir}, x.key ${dir}
       LIMIT :limit`,
      params,
    );
    const page = rows.slice(0, limit);
    const byKey = new Map(
      (page.length
        ? await this.dataSource.getRepository(FindingEntity).findBy({ key: In(page.map((r) => r.key)) })
        : []
      ).map((f) => [f.key, f]),
    );
    const items = page
      .filter((r) => byKey.has(r.key))
      .map((r) => ({ ...toApiFinding(byKey.get(r.key)!), status: r.eff_status as ApiFinding['status'] }))
      .map((f) => ({
        ...f,
        ...findingDue(f, this.config.remediation.sla, asOf ? new Date(asOf) : this.clock.now()),
      }));
    const last = page[page.length - 1];
    return {
      items: this.redactor.redactDeep(items),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor(listId, [
              sortName === 'severity' ? Number(last.sort_value) : last.sort_value,
              last.key,
            ])
          : null,
      limit,
      asOf,
    };
  }

  async get(key: string, principal: Principal): Promise<FindingDetail> {
    const f = await this.dataSource.getRepository(FindingEntity).findOneBy({ key });
    if (!f || (principal.team && f.team !== principal.team))
      throw new NotFoundException(`no finding with key "${key}"`);
    const events = await this.dataSource
      .getRepository(FindingEventEntity)
      .find({ where: { findingKey: key }, order: { at: 'ASC', id: 'ASC' } });
    const ledger = await this.tables.has('evidence_entry');
    const entries = ledger
      ? await sqlQuery<{ seq: number | string; type: string; at: string; run_id: string | null }>(
          this.dataSource,
          'SELECT seq, type, at, run_id FROM evidence_entry WHERE subject = :key ORDER BY seq',
          { key },
        )
      : [];
    const view = toApiFinding(f);
    return this.redactor.redactDeep({
      ...view,
      ...findingDue(view, this.config.remediation.sla, this.clock.now()),
      lastRunId: f.lastRunId,
      resolvedByRun: f.resolvedByRun,
      history: events.map((e) => ({
        at: e.at,
        runId: e.runId,
        from: e.fromStatus,
        to: e.toStatus,
        reason: e.reason,
        input: e.input,
      })),
      evidence: {
        ledger,
        entries: entries.map((e) => ({ seq: Number(e.seq), type: e.type, at: e.at, runId: e.run_id })),
      },
    });
  }

  /**
   * Which findings a framework filter selects: those of the controls mapped to the clause (or to
   * any clause of the family), and for GDPR those of services tagged `personalData`.
   */
  private frameworkScope(framework: string): { controls: string[]; personalDataServices: string[] } {
    const matches = (token: string) =>
      framework.includes(':') ? token === framework : token.startsWith(`${framework}:`);
    const controls = CONTROL_CATALOG.filter((c) => c.frameworks.some(matches)).map((c) => c.id);
    const gdpr = framework === 'GDPR' || framework === 'GDPR:Art.32';
    const personalDataServices = gdpr
      ? (this.config.services ?? []).filter((s) => s.personalData).map((s) => s.name)
      : [];
    return { controls, personalDataServices };
  }
}
