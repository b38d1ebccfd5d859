/**
 * RM-EVD-001 Test evidence missing: a production deployment produced by a pipeline whose pipeline
 * archived no test report (GitLab: the pipeline's test report is empty; Jenkins: no JUnit result).
 * A deployment with no pipeline at all is RM-PIPE-001's.
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
SELECT ${DEPLOYMENT_COLUMNS}, d.pipeline_id
FROM deployment d
WHERE ${PRODUCTION_DEPLOYMENT} AND d.via_pipeline = TRUE AND d.test_report IS NULL
ORDER BY d.connector, d.external_id`;

@Injectable()
export class MissingTestEvidenceControl implements Control {
  readonly definition = controlDefinition('RM-EVD-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<DeploymentRow & { pipeline_id: string | null }>(ctx.db, SQL);
    return rows.map((d) => ({
      ...deploymentSubject(d),
      // A GitLab deployment names its pipeline; a Jenkins one is its build (`<job>#<number>`).
      reason: d.pipeline_id
        ? `Deployed to ${d.environment} at ${fmt(d.started_at)} by pipeline ${d.pipeline_id}, which archived no test report.`
        : `Deployed to ${d.environment} at ${fmt(d.started_at)} by build ${d.external_id}, which archived no JUnit result.`,
      related: [],
      input: { startedAt: d.started_at, pipelineId: d.pipeline_id },
    }));
  }
}
