/**
 * RM-CHG-002 Change not approved at deployment time: a successful production deployment links a
 * change that is not `standard` (pre-approved) and was not approved at deployment time — its
 * approval is `approved`, set no later than the deployment started, and it is not canceled or still
 * New, Assess or Authorize (controls.md "approved at deployment time"; ServiceNow times are UTC).
 */
import { Injectable } from '@nestjs/common';
import { changeRef, controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';
import { pushTo } from '../common/group-by';

const NOT_APPROVED_STATES = ['canceled', 'new', 'assess', 'authorize'];

const SQL = `
SELECT DISTINCT ${DEPLOYMENT_COLUMNS},
       c.connector AS change_connector, c.number AS change_number, c.type, c.state, c.approval,
       c.approval_set_at
FROM deployment d
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT}
  AND c.type <> 'standard'
  AND (c.approval <> 'approved'
       OR c.approval_set_at IS NULL
       OR c.approval_set_at > d.started_at
       OR c.state IN (:...notApprovedStates))
ORDER BY d.connector, d.external_id, c.number`;

interface Row extends DeploymentRow {
  change_connector: string;
  change_number: string;
  type: string;
  state: string;
  approval: string;
  approval_set_at: string | null;
}

@Injectable()
export class UnapprovedChangeControl implements Control {
  readonly definition = controlDefinition('RM-CHG-002')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<Row>(ctx.db, SQL, { notApprovedStates: NOT_APPROVED_STATES });
    const byDeployment = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byDeployment, key, r);
    }
    return [...byDeployment.values()].map((changes) => {
      const d = changes[0];
      const why = changes.map((c) => `${c.change_number} ${whyNotApproved(c)}`);
      return {
        ...deploymentSubject(d),
        reason: `Deployed to ${d.environment} at ${fmt(d.started_at)}; ${why.join('; ')}.`,
        related: changes.map((c) => ({
          type: 'change' as const,
          ref: changeRef(c.change_connector, c.change_number),
        })),
        input: {
          startedAt: d.started_at,
          changes: changes.map((c) => ({
            number: c.change_number,
            type: c.type,
            state: c.state,
            approval: c.approval,
            approvalSetAt: c.approval_set_at,
          })),
        },
      } satisfies Flag;
    });
  }
}

function whyNotApproved(c: Row): string {
  if (c.state === 'canceled') return `was canceled (${c.type} change)`;
  if (['new', 'assess', 'authorize'].includes(c.state)) {
    return `was still in state ${c.state} (${c.type} change, approval ${c.approval})`;
  }
  if (c.approval !== 'approved') return `had approval "${c.approval.replace('_', ' ')}" (${c.type} change)`;
  if (!c.approval_set_at) return `is approved but records no approval time (${c.type} change)`;
  return `approved ${fmt(c.approval_set_at)}, after it (${c.type} change)`;
}
