/**
 * RM-QG-001 Quality gate not passed: the SonarQube analysis of a successful production
 * deployment's deployed commit has quality gate `ERROR` (the control's severity, high), or no
 * analysis of that commit exists (medium).
 *
 * - An analysis is of the deployment when its `revision` is the deployed commit and its project is
 *   the service's: the analysis's service (decided at ingest from the project key) is the
 *   deployment's, or its project key is the service's SonarQube key in `service_info`.
 * - A commit analysed more than once in a project is judged by its latest analysis there; a service
 *   with several projects fails when any project's latest analysis of the commit is `ERROR`.
 * - `OK` passes. `WARN` passes: SonarQube (before 7.6) used it for conditions that warn without
 *   failing the gate. `NONE` (the project has no quality gate) passes too: there is an analysis of
 *   the commit, and no gate for it to fail; the control does not flag what SonarQube does not judge.
 * - When the analysis was made does not matter (SonarQube may analyse after the deployment).
 * - A deployment whose deployed commit is unknown (a Jenkins build without the service's
 *   checkout) is left undecided.
 */
import { Injectable } from '@nestjs/common';
import { commitRef, controlDefinition, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { AppConfig } from '../config/config.schema';
import type { Control, ControlContext, ControlOutcome, Flag, RelatedRef, Undecided } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';
import { pushTo } from '../common/group-by';

/** Analysis `qg` is of service `d.service` (`si` its service_info row). */
function ofService(qg: string): string {
  return `${qg}.deleted = FALSE AND (${qg}.service = d.service OR ${qg}.project_key = si.sonarqube_key)`;
}

/** `qg` is the latest analysis of its revision in its project. */
const LATEST_OF_COMMIT_IN_PROJECT = `NOT EXISTS (
    SELECT 1 FROM quality_gate newer
    WHERE newer.deleted = FALSE AND newer.connector = qg.connector AND newer.project_key = qg.project_key
      AND newer.revision = qg.revision
      AND (newer.analysed_at > qg.analysed_at
           OR (newer.analysed_at = qg.analysed_at AND newer.external_id > qg.external_id)))`;

/**
 * Each production deployment with its failing analyses (one row each), or one row with no analysis
 * when its commit has none; deployments whose commit passed in every project are not returned.
 */
const SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.commit_sha, si.sonarqube_key, si.gitlab_key,
       qg.connector AS gate_connector, qg.external_id AS analysis_key, qg.project_key, qg.status,
       qg.analysed_at, qg.conditions
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
LEFT JOIN quality_gate qg ON ${ofService('qg')} AND qg.revision = d.commit_sha AND ${LATEST_OF_COMMIT_IN_PROJECT}
WHERE ${PRODUCTION_DEPLOYMENT}
  AND (qg.external_id IS NULL OR qg.status = 'ERROR')
ORDER BY d.connector, d.external_id, qg.project_key`;

/**
 * How many analyses each (service, project) pair holds: what a reason about a missing analysis
 * counts for the deployment's service. One grouped scan, summed in TypeScript per service, instead
 * of a count of the service's analyses for every deployment without one.
 */
const ANALYSES_SQL = `
SELECT service, project_key, COUNT(*) AS n FROM quality_gate WHERE deleted = FALSE
GROUP BY service, project_key`;

interface Row extends DeploymentRow {
  commit_sha: string;
  sonarqube_key: string | null;
  gitlab_key: string | null;
  gate_connector: string | null;
  analysis_key: string | null;
  project_key: string | null;
  status: string | null;
  analysed_at: string | null;
  conditions: string | Condition[] | null;
}

interface AnalysesRow {
  service: string | null;
  project_key: string;
  n: number | string;
}

interface Condition {
  metric: string;
  status: string;
  actual?: string;
  threshold?: string;
}

@Injectable()
export class QualityGateControl implements Control {
  readonly definition = controlDefinition('RM-QG-001')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const byDeployment = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byDeployment, key, r);
    }
    const serviceAnalyses = await analysesOfService(ctx, rows);
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const analyses of byDeployment.values()) {
      const d = analyses[0];
      const subject = deploymentSubject(d);
      if (!d.commit_sha) {
        undecided.push({ subjectRef: subject.subjectRef, why: 'the deployed commit is not known' });
        continue;
      }
      const sha = d.commit_sha.slice(0, 12);
      const service = d.service ?? d.project;
      const related = relatedOf(ctx.config, d);
      const failed = analyses.filter((a) => a.analysis_key !== null);
      if (failed.length) {
        const why = failed.map(
          (a) =>
            `project ${a.project_key} (analysis ${a.analysis_key}, ${fmt(a.analysed_at)}) failed its quality gate${failedConditions(a.conditions)}`,
        );
        flags.push({
          ...subject,
          reason: `Deployed ${service} commit ${sha} to ${d.environment} at ${fmt(d.started_at)}; its SonarQube analysis has quality gate ERROR: ${why.join('; ')}.`,
          related,
          input: {
            commitSha: d.commit_sha,
            analyses: failed.map((a) => ({
              connector: a.gate_connector,
              key: a.analysis_key,
              projectKey: a.project_key,
              status: a.status,
              analysedAt: a.analysed_at,
              conditions: parseConditions(a.conditions),
            })),
          },
        });
        continue;
      }
      const count = serviceAnalyses(d);
      const where = count
        ? `SonarQube holds ${count} analys${count > 1 ? 'es' : 'is'} of ${service}${d.sonarqube_key ? ` (project ${d.sonarqube_key})` : ''}, none of this commit`
        : `SonarQube holds no analysis of ${service} at all${d.sonarqube_key ? ` (project ${d.sonarqube_key})` : ''}`;
      flags.push({
        ...subject,
        severity: 'medium',
        reason: `Deployed ${service} commit ${sha} to ${d.environment} at ${fmt(d.started_at)}, but no SonarQube analysis of that commit exists: ${where}.`,
        related,
        input: {
          commitSha: d.commit_sha,
          sonarqubeKey: d.sonarqube_key,
          serviceAnalyses: count,
          analyses: [],
        },
      });
    }
    return { flags, undecided };
  }
}

/**
 * The number of current analyses of a deployment's service — those whose service is the
 * deployment's or whose project is the service's SonarQube key (`ofService`) — read only when some
 * deployment has no analysis of its commit.
 */
async function analysesOfService(ctx: ControlContext, rows: Row[]): Promise<(d: Row) => number> {
  if (!rows.some((r) => r.analysis_key === null)) return () => 0;
  const groups = await sqlQuery<AnalysesRow>(ctx.db, ANALYSES_SQL);
  const counts = new Map<string, number>();
  return (d) => {
    const key = JSON.stringify([d.service, d.sonarqube_key]);
    let count = counts.get(key);
    if (count === undefined) {
      count = 0;
      for (const g of groups) {
        if (
          (d.service !== null && g.service === d.service) ||
          (d.sonarqube_key !== null && g.project_key === d.sonarqube_key)
        )
          count += Number(g.n);
      }
      counts.set(key, count);
    }
    return count;
  };
}

/**
 * The deployed commit (the service's GitLab repository, for Jenkins deployments too) and the
 * service, as related subjects.
 */
function relatedOf(config: AppConfig, d: Row): RelatedRef[] {
  const related: RelatedRef[] = [];
  const pluginOf = (id: string) => config.connectors.find((c) => c.id === id)?.plugin;
  const gitlab = config.connectors.find((c) => c.plugin === 'gitlab')?.id;
  if (pluginOf(d.connector) === 'gitlab')
    related.push({ type: 'commit', ref: commitRef(d.connector, d.project, d.commit_sha) });
  else if (gitlab && d.gitlab_key)
    related.push({ type: 'commit', ref: commitRef(gitlab, d.gitlab_key, d.commit_sha) });
  if (d.service) related.push({ type: 'service', ref: serviceRef(d.service) });
  return related;
}

/** ` (new_coverage 42.1 against threshold 80; …)`: the conditions that failed, when SonarQube lists them. */
function failedConditions(value: Row['conditions']): string {
  const failing = parseConditions(value).filter((c) => c.status === 'ERROR');
  if (!failing.length) return '';
  return ` (${failing
    .map(
      (c) =>
        `${c.metric} ${c.actual ?? '?'}${c.threshold !== undefined ? ` against threshold ${c.threshold}` : ''}`,
    )
    .join('; ')})`;
}

function parseConditions(value: Row['conditions']): Condition[] {
  if (value === null || value === undefined) return [];
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? (parsed as Condition[]) : [];
}
