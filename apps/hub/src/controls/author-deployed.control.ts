/**
 * RM-SOD-003 Author deployed own change (off unless `enabled: true`): the identity that triggered
 * the production deployment authored a merge request shipped with it. A deployment that ships no
 * MR is not subject to it.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, mergeRequestRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';
import { PersonLookup } from './person.lookup';
import { pushTo } from '../common/group-by';

const SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.triggered_by, m.author, m.project AS mr_project, m.iid
FROM deployment d
JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id AND dm.deleted = FALSE
JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND m.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT} AND d.triggered_by IS NOT NULL
  -- candidates only: the deployer is the author by name, or by another name of the same person
  -- (person_name holds every name in the store); the exact check is done below
  AND (LOWER(TRIM(d.triggered_by)) = LOWER(TRIM(m.author))
       OR EXISTS (SELECT 1 FROM person_name pd JOIN person_name pa ON pa.person_key = pd.person_key
                  WHERE pd.name_lower = LOWER(d.triggered_by) AND pa.name_lower = LOWER(m.author)))
ORDER BY d.connector, d.external_id, m.iid`;

interface Row extends DeploymentRow {
  triggered_by: string;
  author: string;
  mr_project: string;
  iid: number;
}

@Injectable()
export class AuthorDeployedControl implements Control {
  readonly definition = controlDefinition('RM-SOD-003')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const people = await PersonLookup.load(
      ctx.db,
      rows.flatMap((r) => [r.triggered_by, r.author]),
    );
    const byDeployment = new Map<string, Row[]>();
    for (const r of rows) {
      if (!people.same(r.triggered_by, r.author)) continue;
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byDeployment, key, r);
    }
    return [...byDeployment.values()].map((own) => {
      const d = own[0];
      return {
        ...deploymentSubject(d),
        reason: `Deployed to ${d.environment} at ${fmt(d.started_at)} by ${d.triggered_by}, who authored ${own
          .map((m) => `!${m.iid}`)
          .join(', ')} shipped with it.`,
        related: own.map((m) => ({
          type: 'merge_request' as const,
          ref: mergeRequestRef(m.connector, m.mr_project, m.iid),
        })),
        input: { deployer: d.triggered_by, authored: own.map((m) => ({ mr: m.iid, author: m.author })) },
      };
    });
  }
}
