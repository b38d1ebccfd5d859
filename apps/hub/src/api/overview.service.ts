/**
 * GET /overview, the dashboard's first page in one call: open findings by severity, control
 * family and team; the open count after each recent run; the traceability rate and the emergency
 * releases awaiting review over the last 30 days (from the period report, so both use the same
 * definitions as the auditors' report); connector health and the last run. Team-scoped callers
 * get their team's share of each.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_CATALOG, SEVERITIES, Severity } from '@audit-hub/domain';
import { Clock } from '../common/clock';
import { sqlQuery } from '../common/sql';
import { recentFinishedRuns } from './recent-runs.query';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { Principal } from '../auth/principal';
import { ReportService } from '../reports/report.service';
import type { EmergencyRelease } from '../reports/report.model';
import { ConnectorsStatusService, ConnectorStatusView } from './connectors-status.service';
import { servicesOfTeam } from './team-scope';

/** Control families by the middle part of their ids (RM-CHG-001 → CHG). */
export const CONTROL_FAMILIES: Record<string, string> = {
  CHG: 'Change management',
  EMG: 'Emergency changes',
  SOD: 'Segregation of duties',
  ACC: 'Access',
  PIPE: 'Pipeline integrity',
  QG: 'Quality gates',
  ART: 'Artifact integrity',
  INV: 'Inventory',
  RBK: 'Rollbacks',
  EVD: 'Test evidence',
};
const TREND_RUNS = 15;
const WINDOW_DAYS = 30;

export interface Overview {
  generatedAt: string;
  team: string | null;
  open: { total: number; bySeverity: Record<Severity, number> };
  byFamily: { family: string; title: string; open: number; bySeverity: Record<Severity, number> }[];
  byTeam: { team: string | null; open: number }[];
  trend: { runId: string; startedAt: string; finishedAt: string | null; status: string; open: number }[];
  traceability: { from: string; to: string; deployments: number; traced: number; rate: number | null };
  emergencyReleases: EmergencyRelease[];
  connectors: Pick<ConnectorStatusView, 'id' | 'plugin' | 'enabled' | 'health' | 'lastSuccessAt'>[];
  lastRun: {
    id: string;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    sources: Record<string, number>;
  } | null;
}

const emptyBySeverity = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

@Injectable()
export class OverviewService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly reports: ReportService,
    private readonly connectors: ConnectorsStatusService,
  ) {}

  async build(principal: Principal): Promise<Overview> {
    const team = principal.team;
    const teamWhere = team ? ' AND f.team = :team' : '';
    const now = this.clock.now();
    const rows = await sqlQuery<{
      control_id: string;
      severity: Severity;
      team: string | null;
      n: number | string;
    }>(
      this.dataSource,
      `SELECT f.control_id, f.severity, f.team, COUNT(*) AS n FROM finding f
       WHERE f.status IN ('open', 'reopened')${teamWhere}
       GROUP BY f.control_id, f.severity, f.team`,
      { team },
    );
    const bySeverity = emptyBySeverity();
    const families = new Map<string, { open: number; bySeverity: Record<Severity, number> }>();
    const teams = new Map<string | null, number>();
    let total = 0;
    for (const r of rows) {
      const n = Number(r.n);
      total += n;
      bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + n;
      const family = r.control_id.split('-')[1] ?? r.control_id;
      const f = families.get(family) ?? { open: 0, bySeverity: emptyBySeverity() };
      f.open += n;
      f.bySeverity[r.severity] = (f.bySeverity[r.severity] ?? 0) + n;
      families.set(family, f);
      teams.set(r.team, (teams.get(r.team) ?? 0) + n);
    }
    const familyOrder = [...new Set(CONTROL_CATALOG.map((c) => c.id.split('-')[1]))];
    const byFamily = familyOrder
      .filter((f) => families.has(f))
      .map((family) => ({ family, title: CONTROL_FAMILIES[family] ?? family, ...families.get(family)! }));
    const byTeam = [...teams.entries()]
      .map(([t, open]) => ({ team: t, open }))
      .sort((a, b) => b.open - a.open || String(a.team).localeCompare(String(b.team)));

    const trend = await this.trend(team);
    const to = now.toISOString().slice(0, 10);
    const from = new Date(now.getTime() - (WINDOW_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const report = await this.reports.build({ from, to });
    const teamServices = team ? new Set(servicesOfTeam(this.config, team)) : null;
    const population = report.population.deployments.filter(
      (d) => !teamServices || (d.service !== null && teamServices.has(d.service)),
    );
    const traced = population.filter((d) => d.traced).length;
    const emergencyReleases = report.emergencyReleases.filter(
      (e) =>
        (e.review === 'pending' || e.review === 'overdue') &&
        (!teamServices || (e.service !== null && teamServices.has(e.service))),
    );
    const connectors = (await this.connectors.list()).map(
      ({ id, plugin, enabled, health, lastSuccessAt }) => ({
        id,
        plugin,
        enabled,
        health,
        lastSuccessAt,
      }),
    );
    return {
      generatedAt: now.toISOString(),
      team,
      open: { total, bySeverity },
      byFamily,
      byTeam,
      trend,
      traceability: {
        from,
        to,
        deployments: population.length,
        traced,
        rate: population.length ? traced / population.length : null,
      },
      emergencyReleases,
      connectors,
      lastRun: await this.lastRun(),
    };
  }

  /** Open findings right after each of the last runs, replayed from finding events. */
  private async trend(team: string | null): Promise<Overview['trend']> {
    const runs = await recentFinishedRuns(this.dataSource, TREND_RUNS);
    const out: Overview['trend'] = [];
    for (const r of runs) {
      const [row] = await sqlQuery<{ n: number | string }>(
        this.dataSource,
        `SELECT COUNT(*) AS n FROM finding f
         WHERE (SELECT e.to_status FROM finding_event e WHERE e.finding_key = f.key AND e.at <= :at
                ORDER BY e.at DESC, e.id DESC LIMIT 1) IN ('open', 'reopened')${team ? ' AND f.team = :team' : ''}`,
        { at: r.finished_at, team },
      );
      out.push({
        runId: r.id,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        status: r.status,
        open: Number(row.n),
      });
    }
    return out;
  }

  private async lastRun(): Promise<Overview['lastRun']> {
    const [run] = await sqlQuery<{
      id: string;
      status: string;
      started_at: string;
      finished_at: string | null;
    }>(
      this.dataSource,
      'SELECT id, status, started_at, finished_at FROM run ORDER BY started_at DESC, id DESC LIMIT 1',
    );
    if (!run) return null;
    const rows = await sqlQuery<{ status: string; n: number | string }>(
      this.dataSource,
      'SELECT status, COUNT(*) AS n FROM source_status WHERE run_id = :id GROUP BY status',
      { id: run.id },
    );
    return {
      id: run.id,
      status: run.status,
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      sources: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
    };
  }
}
