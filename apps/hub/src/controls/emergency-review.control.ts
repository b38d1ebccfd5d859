/**
 * RM-EMG-001 Emergency change review overdue: an emergency change linked to a production
 * deployment was not closed (post-implementation review done) within `reviewHours` of the finish of
 * the first production deployment linked to it, or is still open past that time. Measured at the
 * run's clock; a change still inside its review time is not (yet) overdue.
 */
import { Injectable } from '@nestjs/common';
import { changeRef, controlDefinition, deploymentRefFromExternalId } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { fmt, HOUR_MS, PRODUCTION_DEPLOYMENT } from './deployment.queries';
import { pushTo } from '../common/group-by';

const SQL = `
SELECT c.connector AS change_connector, c.number, c.state, c.closed_at,
       d.connector, d.external_id, d.project, d.service, d.started_at, d.finished_at
FROM change_request c
JOIN link l ON l.change_number = c.number
JOIN deployment d ON d.connector = l.deployment_connector AND d.external_id = l.deployment_id
WHERE c.type = 'emergency' AND c.deleted = FALSE AND ${PRODUCTION_DEPLOYMENT}
ORDER BY c.number, d.started_at`;

interface Row {
  change_connector: string;
  number: string;
  state: string;
  closed_at: string | null;
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  started_at: string;
  finished_at: string | null;
}

@Injectable()
export class EmergencyReviewControl implements Control {
  readonly definition = controlDefinition('RM-EMG-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const hours = Number(ctx.params.reviewHours);
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const byChange = new Map<string, Row[]>();
    for (const r of rows) pushTo(byChange, `${r.change_connector}\u0000${r.number}`, r);
    const flags: Flag[] = [];
    for (const deployments of byChange.values()) {
      const c = deployments[0];
      const finishes = deployments.map((d) => Date.parse(d.finished_at ?? d.started_at));
      const firstFinish = Math.min(...finishes);
      const first = deployments[finishes.indexOf(firstFinish)];
      const due = firstFinish + hours * HOUR_MS;
      const closed = c.state === 'closed' && c.closed_at ? Date.parse(c.closed_at) : null;
      let reason: string | null = null;
      if (closed !== null && closed > due) {
        reason = `Emergency change ${c.number} was closed ${fmt(c.closed_at)}, more than ${hours} h after its first production deployment finished (${fmt(new Date(firstFinish).toISOString())}; review due ${fmt(new Date(due).toISOString())}).`;
      } else if (closed === null && ctx.now.getTime() > due) {
        reason = `Emergency change ${c.number} is still ${c.state} at ${fmt(ctx.now.toISOString())}; its review was due ${fmt(new Date(due).toISOString())}, ${hours} h after its first production deployment finished (${fmt(new Date(firstFinish).toISOString())}).`;
      }
      if (!reason) continue;
      flags.push({
        subjectType: 'change',
        subjectRef: changeRef(c.change_connector, c.number),
        subjectConnector: c.change_connector,
        service: first.service ?? undefined,
        environment: 'production',
        reason,
        related: deployments.map((d) => ({
          type: 'deployment' as const,
          ref: deploymentRefFromExternalId(d.connector, d.project, d.external_id),
        })),
        input: {
          reviewHours: hours,
          firstDeploymentFinishedAt: new Date(firstFinish).toISOString(),
          state: c.state,
          closedAt: c.closed_at,
          now: ctx.now.toISOString(),
        },
      });
    }
    return flags;
  }
}
