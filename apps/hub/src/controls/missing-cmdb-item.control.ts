/**
 * RM-INV-002 Deployed service missing from CMDB: a service with a successful production deployment
 * on record has no CMDB item, or every CMDB item it has is retired.
 *
 * Any item that is not retired counts as the service's item, whatever its `used_for`: the control
 * asks whether the CMDB knows the service, and RM-INV-001 checks what it says about production.
 * `install_status` values other than Installed and Retired (In maintenance, Pending install…) are
 * not retired. Items are matched to services as in inventory.queries.ts.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { fmt, PRODUCTION_DEPLOYMENT } from './deployment.queries';
import { itemOfService, LATEST_PRODUCTION_DEPLOYMENT } from './inventory.queries';
import { pushTo } from '../common/group-by';

/**
 * Each service deployed to production (by its latest production deployment) that has no item
 * other than retired ones, with its retired items if any (one row each, or one row with none).
 */
const SQL = `
SELECT d.service, d.connector, d.external_id, d.project, d.started_at, si.cmdb_key,
       retired.external_id AS retired_sys_id, retired.name AS retired_name
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
LEFT JOIN config_item retired ON ${itemOfService('retired', 'd.service')}
WHERE ${PRODUCTION_DEPLOYMENT}
  AND d.service IS NOT NULL
  AND ${LATEST_PRODUCTION_DEPLOYMENT}
  AND NOT EXISTS (
    SELECT 1 FROM config_item ci
    WHERE ${itemOfService('ci', 'd.service')} AND ci.install_status <> 'retired')
ORDER BY d.service, retired.external_id`;

interface Row {
  service: string;
  connector: string;
  external_id: string;
  project: string;
  started_at: string;
  cmdb_key: string | null;
  retired_sys_id: string | null;
  retired_name: string | null;
}

@Injectable()
export class MissingCmdbItemControl implements Control {
  readonly definition = controlDefinition('RM-INV-002')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const byService = new Map<string, Row[]>();
    for (const r of rows) pushTo(byService, r.service, r);
    return [...byService].map(([service, group]) => {
      const d = group[0];
      const deploymentRef = deploymentRefFromExternalId(d.connector, d.project, d.external_id);
      const retired = group
        .filter((r) => r.retired_sys_id !== null)
        .map((r) => ({ sysId: r.retired_sys_id!, name: r.retired_name! }));
      const why = retired.length
        ? `its CMDB item${retired.length > 1 ? 's' : ''} ${retired
            .map((i) => `${i.name} (sys_id ${i.sysId})`)
            .join(', ')} ${retired.length > 1 ? 'are' : 'is'} retired`
        : `the CMDB has no item for it (none named ${d.cmdb_key ?? `${service}, case ignored`})`;
      return {
        subjectType: 'service' as const,
        subjectRef: serviceRef(service),
        service,
        environment: 'production',
        reason: `${service} is deployed to production (latest ${deploymentRef}, ${fmt(d.started_at)}), but ${why}.`,
        related: [{ type: 'deployment' as const, ref: deploymentRef }],
        input: {
          latestDeployment: deploymentRef,
          deployedAt: d.started_at,
          cmdbKey: d.cmdb_key,
          retiredItems: retired,
        },
      } satisfies Flag;
    });
  }
}
