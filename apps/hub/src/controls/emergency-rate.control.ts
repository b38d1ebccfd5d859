/**
 * RM-EMG-002 Emergency change rate too high: over the last `windowDays` (from the run's clock), the
 * share of a service's production deployments that link an emergency change is above `maxShare`,
 * with at least `minDeployments` production deployments in the window.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { DAY_MS, PRODUCTION_DEPLOYMENT } from './deployment.queries';

/**
 * Production deployments per service in the window, and how many of them link an emergency change:
 * the emergency-linked deployments (a few percent) are one set, joined once, rather than a search
 * of each deployment's links.
 */
const SQL = `
SELECT d.service, COUNT(*) AS total,
       SUM(CASE WHEN emergency.deployment_id IS NOT NULL THEN 1 ELSE 0 END) AS emergency
FROM deployment d
LEFT JOIN (
  SELECT DISTINCT l.deployment_connector, l.deployment_id
  FROM link l JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
  WHERE c.type = 'emergency'
) emergency ON emergency.deployment_connector = d.connector AND emergency.deployment_id = d.external_id
WHERE ${PRODUCTION_DEPLOYMENT} AND d.service IS NOT NULL AND d.started_at >= :from AND d.started_at <= :to
GROUP BY d.service
ORDER BY d.service`;

@Injectable()
export class EmergencyRateControl implements Control {
  readonly definition = controlDefinition('RM-EMG-002')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const days = Number(ctx.params.windowDays);
    const maxShare = Number(ctx.params.maxShare);
    const minDeployments = Number(ctx.params.minDeployments);
    const from = new Date(ctx.now.getTime() - days * DAY_MS).toISOString();
    const rows = await sqlQuery<{ service: string; total: number | string; emergency: number | string }>(
      ctx.db,
      SQL,
      {
        from,
        to: ctx.now.toISOString(),
      },
    );
    return rows
      .map((r) => ({ service: r.service, total: Number(r.total), emergency: Number(r.emergency) }))
      .filter((r) => r.total >= minDeployments && r.emergency / r.total > maxShare)
      .map((r) => ({
        subjectType: 'service' as const,
        subjectRef: serviceRef(r.service),
        service: r.service,
        environment: 'production',
        reason: `${r.emergency} of ${r.service}'s ${r.total} production deployments in the last ${days} days linked an emergency change (${Math.round((100 * r.emergency) / r.total)}%, above the ${Math.round(maxShare * 100)}% allowed).`,
        related: [],
        input: {
          windowDays: days,
          from,
          to: ctx.now.toISOString(),
          total: r.total,
          emergency: r.emergency,
          maxShare,
          minDeployments,
        },
      }));
  }
}
