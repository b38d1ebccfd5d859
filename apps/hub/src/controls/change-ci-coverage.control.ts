/**
 * RM-CHG-004 Change does not cover the deployed service: a successful production deployment has at
 * least one linked change (existing in the change source), and none of them names the deployed
 * service's CI (the change's `cmdb_ci`).
 *
 * A change names the service's CI when its CI is one of the service's CMDB items (inventory.queries.ts)
 * — by `sys_id`, or, where the change's CI is not among the collected items (another CMDB table),
 * by name, case ignored — or when the CI's name is the service's name or its CMDB key. Any item of
 * the service counts, whatever its `used_for` or install status: the question is which service
 * the change is about. A deployment with no linked change is RM-CHG-001's, not this control's.
 *
 * When the CMDB has no item for the service and a linked change names a CI by another name, that
 * CI may still be the service's: the deployment is left undecided (RM-INV-002 flags the gap).
 */
import { Injectable } from '@nestjs/common';
import { changeRef, controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';
import { SERVICE_ITEMS } from './inventory.queries';
import { pushTo } from '../common/group-by';

/**
 * Change `c` names the CI of the service of deployment `d` (`si` its service_info row): its CI is
 * one of the service's items (`service_item`, SERVICE_ITEMS) by sys_id or by name, or the CI's
 * name is the service's name or CMDB key.
 */
function namesServiceCi(c: string): string {
  return `((d.service, ${c}.ci_sys_id) IN (SELECT service, sys_id FROM service_item)
    OR (d.service, LOWER(${c}.ci_name)) IN (SELECT service, name_lower FROM service_item)
    OR LOWER(${c}.ci_name) = LOWER(d.service)
    OR LOWER(${c}.ci_name) = LOWER(si.cmdb_key))`;
}

/** One row per (deployment, linked change) of each deployment none of whose changes names its CI. */
const SQL = `
WITH service_item AS (${SERVICE_ITEMS})
SELECT DISTINCT ${DEPLOYMENT_COLUMNS}, si.cmdb_key, si.cmdb_item,
       c.connector AS change_connector, c.number AS change_number, c.ci_sys_id, c.ci_name,
       CASE WHEN d.service IN (SELECT service FROM service_item) THEN 1 ELSE 0 END AS service_has_item
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT}
  AND NOT EXISTS (
    SELECT 1 FROM link l2
    JOIN change_request c2 ON c2.number = l2.change_number AND c2.deleted = FALSE
    WHERE l2.deployment_connector = d.connector AND l2.deployment_id = d.external_id
      AND ${namesServiceCi('c2')})
ORDER BY d.connector, d.external_id, c.number`;

interface Row extends DeploymentRow {
  cmdb_key: string | null;
  cmdb_item: string | null;
  change_connector: string;
  change_number: string;
  ci_sys_id: string | null;
  ci_name: string | null;
  service_has_item: number | string;
}

@Injectable()
export class ChangeCiCoverageControl implements Control {
  readonly definition = controlDefinition('RM-CHG-004')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const byDeployment = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byDeployment, key, r);
    }
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const changes of byDeployment.values()) {
      const d = changes[0];
      const subject = deploymentSubject(d);
      if (!d.service) {
        undecided.push({ subjectRef: subject.subjectRef, why: 'the deployment has no service' });
        continue;
      }
      const hasItem = Number(d.service_has_item) === 1;
      if (!hasItem && changes.some((c) => c.ci_sys_id || c.ci_name)) {
        undecided.push({
          subjectRef: subject.subjectRef,
          why: `the CMDB has no item for ${d.service}, so the CI its changes name cannot be matched to it`,
        });
        continue;
      }
      const named = changes.map((c) => `${c.change_number} ${ciPhrase(c)}`);
      const serviceCi = hasItem
        ? `${d.service}'s CI is ${d.cmdb_key ?? d.service}${d.cmdb_item ? ` (sys_id ${d.cmdb_item})` : ''}`
        : `the CMDB has no item for ${d.service}`;
      flags.push({
        ...subject,
        reason: `Deployed ${d.service} to ${d.environment} at ${fmt(d.started_at)}, but none of its linked changes names the service's CI: ${named.join('; ')}; ${serviceCi}.`,
        related: changes.map((c) => ({
          type: 'change' as const,
          ref: changeRef(c.change_connector, c.change_number),
        })),
        input: {
          service: d.service,
          serviceCi: { name: d.cmdb_key, sysId: d.cmdb_item },
          changes: changes.map((c) => ({ number: c.change_number, ciSysId: c.ci_sys_id, ciName: c.ci_name })),
        },
      });
    }
    return { flags, undecided };
  }
}

function ciPhrase(c: Row): string {
  if (!c.ci_sys_id && !c.ci_name) return 'names no CI';
  if (!c.ci_name) return `names CI sys_id ${c.ci_sys_id}`;
  return `names CI ${c.ci_name}${c.ci_sys_id ? ` (sys_id ${c.ci_sys_id})` : ''}`;
}
