/**
 * RM-PIPE-001 Deployment bypassed the pipeline: a production deployment was not produced by a CI
 * job — a GitLab deployment without a deployable job (created through the API or by hand), or a
 * Jenkins build that was replayed or triggered outside the deploy job (the connector records
 * `viaPipeline: false` for those).
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';

const SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.triggered_by, d.causes
FROM deployment d
WHERE ${PRODUCTION_DEPLOYMENT} AND d.via_pipeline = FALSE
ORDER BY d.connector, d.external_id`;

@Injectable()
export class PipelineBypassControl implements Control {
  readonly definition = controlDefinition('RM-PIPE-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<DeploymentRow & { triggered_by: string | null; causes: string | null }>(
      ctx.db,
      SQL,
    );
    return rows.map((d) => {
      const causes = parseCauses(d.causes);
      const how = causes.some((c) => c.type === 'replay')
        ? 'a replayed build'
        : causes.length
          ? `a build started by ${causes.map((c) => c.type).join(', ')}`
          : 'no CI job';
      return {
        ...deploymentSubject(d),
        reason: `Deployed to ${d.environment} at ${fmt(d.started_at)}${d.triggered_by ? ` by ${d.triggered_by}` : ''} through ${how}, not by the pipeline's deploy job.`,
        related: [],
        input: { startedAt: d.started_at, triggeredBy: d.triggered_by, causes },
      };
    });
  }
}

function parseCauses(value: unknown): { type: string }[] {
  if (!value) return [];
  try {
    const parsed = typeof value === 'string' ? JSON.parse(value) : value;
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
