/**
 * RM-INV-001 CMDB version drift: the version the CMDB records for a service in production differs
 * from the version of the service's latest successful production deployment.
 *
 * - The items compared are the service's installed items used for production (inventory.queries.ts:
 *   `used_for` starting with `prod`, case ignored; items with no `used_for` stand in only when the
 *   service has no production item). A service with none is not subject: RM-INV-002 flags a
 *   missing or retired item, and a non-production item says nothing about production.
 * - Versions are compared trimmed, case ignored, and without a leading `v` (`v1.4.0` = `1.4.0`).
 * - When several items stand for the service, each must record the deployed version.
 * - An item that records no version at all differs (the CMDB does not say what runs).
 * - A deployment whose version is unknown (no version and no deployed commit, or no version while its
 *   pipeline variables could not be read) is left undecided, saying which.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId, serviceRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import { fmt, PRODUCTION_DEPLOYMENT, variablesUnread } from './deployment.queries';
import {
  DEPLOYED_VERSION,
  LATEST_PRODUCTION_DEPLOYMENT,
  normalizedVersion,
  productionItemOfService,
} from './inventory.queries';
import { pushTo } from '../common/group-by';

/** The latest production deployment of each service, beside each of its production CMDB items that differs. */
const SQL = `
SELECT d.service, d.connector, d.external_id, d.project, d.environment, d.started_at,
       ${DEPLOYED_VERSION} AS deployed_version, d.unread_fields,
       ci.connector AS item_connector, ci.external_id AS item_sys_id, ci.name AS item_name,
       ci.version AS item_version, ci.environment AS item_used_for
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
JOIN config_item ci ON ${productionItemOfService('ci', 'd.service')}
WHERE ${PRODUCTION_DEPLOYMENT}
  AND d.service IS NOT NULL
  AND ${LATEST_PRODUCTION_DEPLOYMENT}
  AND (ci.version IS NULL
       OR ${DEPLOYED_VERSION} IS NULL
       OR ${normalizedVersion('ci.version')} <> ${normalizedVersion(DEPLOYED_VERSION)})
ORDER BY d.service, ci.external_id`;

interface Row {
  service: string;
  connector: string;
  external_id: string;
  project: string;
  environment: string;
  started_at: string;
  deployed_version: string | null;
  unread_fields: string | null;
  item_connector: string;
  item_sys_id: string;
  item_name: string;
  item_version: string | null;
  item_used_for: string | null;
}

@Injectable()
export class CmdbVersionDriftControl implements Control {
  readonly definition = controlDefinition('RM-INV-001')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const byService = new Map<string, Row[]>();
    for (const r of rows) pushTo(byService, r.service, r);
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const [service, items] of byService) {
      const d = items[0];
      const deploymentRef = deploymentRefFromExternalId(d.connector, d.project, d.external_id);
      if (d.deployed_version === null) {
        undecided.push({
          subjectRef: serviceRef(service),
          why: variablesUnread(d.unread_fields)
            ? `its latest production deployment ${deploymentRef} records no version and its pipeline variables (where the version variable is) could not be read`
            : `its latest production deployment ${deploymentRef} records no version and no deployed commit`,
        });
        continue;
      }
      const differing = items.map(
        (i) =>
          `CMDB item ${i.item_name} (sys_id ${i.item_sys_id}${i.item_used_for ? `, used for ${i.item_used_for}` : ''}) ${
            i.item_version === null ? 'records no version' : `records version ${i.item_version}`
          }`,
      );
      flags.push({
        subjectType: 'service',
        subjectRef: serviceRef(service),
        service,
        environment: 'production',
        reason: `${service}'s latest production deployment (${deploymentRef}, ${fmt(d.started_at)}) deployed version ${
          d.deployed_version
        }, but ${differing.join('; ')}.`,
        related: [{ type: 'deployment', ref: deploymentRef }],
        input: {
          deployment: deploymentRef,
          deployedAt: d.started_at,
          deployedVersion: d.deployed_version,
          items: items.map((i) => ({
            connector: i.item_connector,
            sysId: i.item_sys_id,
            name: i.item_name,
            version: i.item_version,
            usedFor: i.item_used_for,
          })),
        },
      });
    }
    return { flags, undecided };
  }
}
