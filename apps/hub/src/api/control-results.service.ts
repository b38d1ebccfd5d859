/**
 * GET /controls/results and GET /controls/readiness: each control's result in the last finished
 * run with its population and its trend over recent runs, and, from the same results, each
 * framework clause's controls passing, failing, partial or not evaluated (the catalog maps
 * controls to clauses). Company-wide: a control's result covers every team.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Clock } from '../common/clock';
import { sqlQuery } from '../common/sql';
import { recentFinishedRuns } from './recent-runs.query';
import { ControlRegistry } from '../controls/control.registry';
import { FRAMEWORK_NAMES } from '../reports/report.service';
import { ControlResultEntity } from '../store/entities/control-result.entity';
import { CONTROL_POPULATIONS } from './control-population.queries';
import type {
  ClauseControlDto,
  ControlOutcome,
  ControlResultsDto,
  ControlRunResultDto,
  ReadinessClauseDto,
  ReadinessCountsDto,
  ReadinessDto,
  TrendRunDto,
} from './dto/control-results.dto';

/** How many finished runs the trends cover. */
export const CONTROL_TREND_RUNS = 10;

/** A control's result as a compliance lead reads it (dto/control-results.dto.ts). */
export function controlOutcome(
  row: Pick<ControlResultEntity, 'status' | 'open'> | undefined,
): ControlOutcome {
  if (!row) return 'not_run';
  if (row.status === 'disabled') return 'disabled';
  if (row.status === 'not_evaluated') return 'not_evaluated';
  if (row.open > 0) return 'failing';
  return row.status === 'partial' ? 'partial' : 'passing';
}

/** Adds one outcome to clause or framework counts. */
function tally(counts: ReadinessCountsDto, outcome: ControlOutcome): void {
  if (outcome === 'passing') counts.passing++;
  else if (outcome === 'failing') counts.failing++;
  else if (outcome === 'partial') counts.partial++;
  else counts.notEvaluated++;
}

const zero = (): ReadinessCountsDto => ({ passing: 0, failing: 0, partial: 0, notEvaluated: 0 });

@Injectable()
export class ControlResultsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly controls: ControlRegistry,
    private readonly clock: Clock,
  ) {}

  async results(): Promise<ControlResultsDto> {
    const runs = await this.recentRuns();
    const rows = runs.length
      ? await this.dataSource.getRepository(ControlResultEntity).findBy({ runId: In(runs.map((r) => r.id)) })
      : [];
    const byControl = new Map<string, Map<string, ControlResultEntity>>();
    for (const r of rows) {
      const m = byControl.get(r.controlId) ?? new Map<string, ControlResultEntity>();
      m.set(r.runId, r);
      byControl.set(r.controlId, m);
    }
    const populations = await this.populations();
    const result = (run: TrendRunDto, row: ControlResultEntity): ControlRunResultDto => ({
      runId: run.id,
      startedAt: run.startedAt,
      status: row.status,
      outcome: controlOutcome(row),
      flagged: row.flagged,
      open: row.open,
      undecided: row.undecided?.length ?? 0,
    });
    const last = runs[runs.length - 1];
    return {
      generatedAt: this.clock.now().toISOString(),
      runs,
      controls: this.controls.effective().map((c) => {
        const id = c.definition.id;
        const mine = byControl.get(id) ?? new Map<string, ControlResultEntity>();
        const lastRow = last ? mine.get(last.id) : undefined;
        const subject = c.definition.subjectType;
        return {
          id,
          title: c.definition.title,
          severity: c.severity,
          enabled: c.enabled,
          subject,
          frameworks: c.definition.frameworks,
          population: {
            count: populations.get(subject) ?? 0,
            of: CONTROL_POPULATIONS[subject]?.of ?? subject,
          },
          lastRun: last && lastRow ? { ...result(last, lastRow), reason: lastRow.reason } : null,
          trend: runs.filter((r) => mine.has(r.id)).map((r) => result(r, mine.get(r.id)!)),
        };
      }),
    };
  }

  async readiness(): Promise<ReadinessDto> {
    const { generatedAt, runs, controls } = await this.results();
    const last = runs[runs.length - 1] ?? null;
    const clauses = new Map<string, ClauseControlDto[]>();
    for (const c of controls) {
      const entry: ClauseControlDto = {
        id: c.id,
        title: c.title,
        outcome: c.lastRun?.outcome ?? 'not_run',
        open: c.lastRun?.open ?? 0,
      };
      for (const token of c.frameworks) clauses.set(token, [...(clauses.get(token) ?? []), entry]);
    }
    const order = Object.keys(FRAMEWORK_NAMES);
    const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
    const frameworks = new Map<
      string,
      { clauses: ReadinessClauseDto[]; outcomes: Map<string, ControlOutcome> }
    >();
    for (const [token, list] of clauses) {
      const i = token.indexOf(':');
      const framework = i > 0 ? token.slice(0, i) : token;
      const group = frameworks.get(framework) ?? { clauses: [], outcomes: new Map<string, ControlOutcome>() };
      const counts = zero();
      for (const c of list) {
        tally(counts, c.outcome);
        group.outcomes.set(c.id, c.outcome);
      }
      group.clauses.push({ token, clause: i > 0 ? token.slice(i + 1) : token, ...counts, controls: list });
      frameworks.set(framework, group);
    }
    return {
      generatedAt,
      runId: last?.id ?? null,
      runStartedAt: last?.startedAt ?? null,
      frameworks: [...frameworks.entries()]
        .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
        .map(([framework, g]) => {
          const counts = zero();
          for (const o of g.outcomes.values()) tally(counts, o);
          return {
            framework,
            name: FRAMEWORK_NAMES[framework] ?? framework,
            controls: counts,
            clauses: g.clauses.sort((a, b) => a.clause.localeCompare(b.clause, 'en', { numeric: true })),
          };
        }),
    };
  }

  /** The last finished runs, oldest first. */
  private async recentRuns(): Promise<TrendRunDto[]> {
    const rows = await recentFinishedRuns(this.dataSource, CONTROL_TREND_RUNS);
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
    }));
  }

  /** Population size by subject type (control-population.queries.ts). */
  private async populations(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [subject, p] of Object.entries(CONTROL_POPULATIONS)) {
      let n = 0;
      for (const sql of p.sql) {
        const [row] = await sqlQuery<{ n: number | string }>(this.dataSource, sql);
        n += Number(row?.n ?? 0);
      }
      out.set(subject, n);
    }
    return out;
  }
}
