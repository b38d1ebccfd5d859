/**
 * RM-CHG-003 Deployment outside change window: the deployment started outside
 * [planned start − grace, planned end + grace] of every linked non-emergency change. A deployment
 * with no linked non-emergency change is not subject to it (RM-CHG-001 covers unlinked ones). A
 * linked change without a planned window gives the deployment no window to fall in.
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

/**
 * One row per (deployment, linked non-emergency change). With a grace of zero or more, a deployment
 * that started inside a linked change's planned window itself (instants compare as strings,
 * store/instant.ts) is inside it with the grace too: it stays in the database, and only the others
 * are returned, for the exact check with the grace below.
 */
function sql(graceMs: number): string {
  const notInsideAnyWindow =
    graceMs >= 0
      ? `AND NOT EXISTS (
    SELECT 1 FROM link wl
    JOIN change_request wc ON wc.number = wl.change_number AND wc.deleted = FALSE
    WHERE wl.deployment_connector = d.connector AND wl.deployment_id = d.external_id
      AND wc.type <> 'emergency' AND wc.planned_start <= d.started_at AND d.started_at <= wc.planned_end)`
      : '';
  return `
SELECT DISTINCT ${DEPLOYMENT_COLUMNS}, c.connector AS change_connector, c.number, c.planned_start, c.planned_end
FROM deployment d
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT} AND c.type <> 'emergency' ${notInsideAnyWindow}
ORDER BY d.connector, d.external_id, c.number`;
}

interface Row extends DeploymentRow {
  change_connector: string;
  number: string;
  planned_start: string | null;
  planned_end: string | null;
}

@Injectable()
export class ChangeWindowControl implements Control {
  readonly definition = controlDefinition('RM-CHG-003')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const graceMs = Number(ctx.params.graceMinutes) * 60_000;
    const rows = await sqlQuery<Row>(ctx.db, sql(graceMs));
    const byDeployment = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byDeployment, key, r);
    }
    const flags: Flag[] = [];
    for (const changes of byDeployment.values()) {
      const d = changes[0];
      const start = Date.parse(d.started_at);
      const inside = changes.some(
        (c) =>
          c.planned_start &&
          c.planned_end &&
          start >= Date.parse(c.planned_start) - graceMs &&
          start <= Date.parse(c.planned_end) + graceMs,
      );
      if (inside) continue;
      const windows = changes.map((c) =>
        c.planned_start && c.planned_end
          ? `${c.number} planned ${fmt(c.planned_start)} – ${fmt(c.planned_end)}`
          : `${c.number} has no planned window`,
      );
      flags.push({
        ...deploymentSubject(d),
        reason: `Deployed to ${d.environment} at ${fmt(d.started_at)}, outside the window of every linked change (grace ${ctx.params.graceMinutes} min): ${windows.join('; ')}.`,
        related: changes.map((c) => ({
          type: 'change' as const,
          ref: changeRef(c.change_connector, c.number),
        })),
        input: {
          startedAt: d.started_at,
          graceMinutes: ctx.params.graceMinutes,
          changes: changes.map((c) => ({
            number: c.number,
            plannedStart: c.planned_start,
            plannedEnd: c.planned_end,
          })),
        },
      });
    }
    return flags;
  }
}
