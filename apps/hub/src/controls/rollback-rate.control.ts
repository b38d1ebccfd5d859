/**
 * RM-RBK-001 Rollback rate over threshold: a service had more than `maxRollbacks` production
 * rollbacks in the last `windowDays`. A rollback (controls.md) is a production deployment whose
 * commit was already deployed to the same environment earlier, and was first deployed there before
 * the commit that was running just before it — redeploying the running commit is not one. One
 * query with window functions, which PostgreSQL and SQLite share.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { DAY_MS, fmt, PRODUCTION_DEPLOYMENT } from './deployment.queries';

const SQL = `
WITH prod AS (
  SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.commit_sha, d.started_at
  FROM deployment d
  WHERE ${PRODUCTION_DEPLOYMENT} AND d.service IS NOT NULL
),
firsts AS (
  SELECT service, environment, commit_sha, MIN(started_at) AS first_at
  FROM prod GROUP BY service, environment, commit_sha
),
ordered AS (
  SELECT prod.*, LAG(commit_sha) OVER (PARTITION BY service, environment ORDER BY started_at, external_id) AS previous_sha
  FROM prod
)
SELECT o.connector, o.external_id, o.project, o.service, o.environment, o.commit_sha, o.previous_sha, o.started_at,
       f.first_at, pf.first_at AS previous_first_at
FROM ordered o
JOIN firsts f ON f.service = o.service AND f.environment = o.environment AND f.commit_sha = o.commit_sha
JOIN firsts pf ON pf.service = o.service AND pf.environment = o.environment AND pf.commit_sha = o.previous_sha
WHERE f.first_at < o.started_at AND f.first_at < pf.first_at AND o.started_at >= :from AND o.started_at <= :to
ORDER BY o.service, o.started_at`;

interface Row {
  connector: string;
  external_id: string;
  project: string;
  service: string;
  environment: string;
  commit_sha: string;
  previous_sha: string;
  started_at: string;
  first_at: string;
}

@Injectable()
export class RollbackRateControl implements Control {
  readonly definition = controlDefinition('RM-RBK-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const days = Number(ctx.params.windowDays);
    const max = Number(ctx.params.maxRollbacks);
    const from = new Date(ctx.now.getTime() - days * DAY_MS).toISOString();
    const rows = await sqlQuery<Row>(ctx.db, SQL, { from, to: ctx.now.toISOString() });
    const byService = new Map<string, Row[]>();
    for (const r of rows) byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
    const flags: Flag[] = [];
    for (const [service, rollbacks] of byService) {
      if (rollbacks.length <= max) continue;
      flags.push({
        subjectType: 'service',
        subjectRef: serviceRef(service),
        service,
        environment: 'production',
        reason: `${service} was rolled back ${rollbacks.length} times in production in the last ${days} days (more than ${max}): ${rollbacks
          .map((r) => `${fmt(r.started_at)} back to ${r.commit_sha.slice(0, 8)}`)
          .join('; ')}.`,
        related: rollbacks.map((r) => ({
          type: 'deployment' as const,
          ref: deploymentRefFromExternalId(r.connector, r.project, r.external_id),
        })),
        input: {
          windowDays: days,
          maxRollbacks: max,
          rollbacks: rollbacks.map((r) => ({
            deployment: r.external_id,
            commit: r.commit_sha,
            previous: r.previous_sha,
            startedAt: r.started_at,
            firstDeployedAt: r.first_at,
          })),
        },
      });
    }
    return flags;
  }
}
