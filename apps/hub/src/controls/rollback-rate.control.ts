/**
 * RM-RBK-001 Rollback rate over threshold: a service had more than `maxRollbacks` production
 * rollbacks in the last `windowDays`. A rollback (controls.md) is a production deployment whose
 * commit was already deployed to the same environment earlier, and was first deployed there before
 * the commit that was running just before it — redeploying the running commit is not one. One
 * query: the window's redeployments (a commit deployed there before) are found set-based, and only
 * they are judged, through indexed lookups of the history by commit and by service.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { DAY_MS, fmt, PRODUCTION_DEPLOYMENT, productionDeployment } from './deployment.queries';
import { pushTo } from '../common/group-by';

const SQL = `
WITH redeploys AS MATERIALIZED (
  -- Only a commit already deployed to the same environment earlier can be a rollback: the few
  -- such deployments of the window are set aside first, and only they are judged below.
  SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.commit_sha, d.started_at
  FROM deployment d
  WHERE ${PRODUCTION_DEPLOYMENT} AND d.service IS NOT NULL AND d.started_at >= :from AND d.started_at <= :to
    AND EXISTS (SELECT 1 FROM deployment e WHERE e.commit_sha = d.commit_sha AND e.service = d.service
                AND e.environment = d.environment AND ${productionDeployment('e')} AND e.started_at < d.started_at)
),
judged AS (
  -- The commit running just before: the previous production deployment to the environment, in
  -- the window or before it.
  SELECT r.*,
         (SELECT p.commit_sha FROM deployment p
          WHERE ${productionDeployment('p')} AND p.service = r.service AND p.environment = r.environment
            AND (p.started_at < r.started_at OR (p.started_at = r.started_at AND p.external_id < r.external_id))
          ORDER BY p.started_at DESC, p.external_id DESC LIMIT 1) AS previous_sha,
         (SELECT MIN(f.started_at) FROM deployment f
          WHERE ${productionDeployment('f')} AND f.commit_sha = r.commit_sha AND f.service = r.service AND f.environment = r.environment) AS first_at
  FROM redeploys r
)
SELECT j.connector, j.external_id, j.project, j.service, j.environment, j.commit_sha, j.previous_sha, j.started_at, j.first_at
FROM judged j
WHERE j.first_at < (SELECT MIN(f.started_at) FROM deployment f
                    WHERE ${productionDeployment('f')} AND f.commit_sha = j.previous_sha AND f.service = j.service AND f.environment = j.environment)
ORDER BY j.service, j.started_at`;

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
    for (const r of rows) pushTo(byService, r.service, r);
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
