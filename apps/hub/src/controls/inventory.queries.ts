/**
 * SQL fragments the CMDB controls (RM-CHG-004, RM-INV-001, RM-INV-002) share: which configuration
 * items belong to a service, and which of them are used for production.
 *
 * A CMDB item belongs to service `<svc>` when its `service` (decided at ingest: the catalog
 * service whose `keys.cmdb` is the item's name, else the item's name lower-cased) is `<svc>`, or
 * when its name is the service's CMDB key in `service_info` (the catalog key in the config in
 * effect now, so a key added since the items were collected already applies). Each fragment
 * expects `si` to be the service's `service_info` row (LEFT joined: `si.cmdb_key` may be NULL).
 */
import { productionDeployment } from './deployment.queries';

/** Item `alias` is a current (not deleted) CMDB item of the service named by SQL expression `service`. */
export function itemOfService(alias: string, service: string): string {
  return `${alias}.deleted = FALSE AND (${alias}.service = ${service} OR ${alias}.name = si.cmdb_key)`;
}

/**
 * Every (service, item) pair `itemOfService` accepts, as a table: the items whose `service` is the
 * service, and those whose name is its CMDB key in `service_info`. A query that asks, for a million
 * deployments, whether an item is their service's hashes this once instead of searching
 * `config_item` for each.
 */
export const SERVICE_ITEMS = `
SELECT ci.service AS service, ci.external_id AS sys_id, LOWER(ci.name) AS name_lower
FROM config_item ci WHERE ci.deleted = FALSE AND ci.service IS NOT NULL
UNION ALL
SELECT si.name AS service, ci.external_id AS sys_id, LOWER(ci.name) AS name_lower
FROM service_info si JOIN config_item ci ON ci.name = si.cmdb_key AND ci.deleted = FALSE`;

/**
 * ServiceNow `used_for` of a production item: `Production` in the out-of-box choice list; any
 * value starting with `prod`, case ignored (`PROD`, `Production-EU`), as service_info does.
 */
export function usedForProduction(alias: string): string {
  return `LOWER(${alias}.environment) LIKE 'prod%'`;
}

/**
 * The installed items of a service that stand for it in production: those used for production;
 * when it has none, those whose `used_for` is empty (many CMDBs leave it blank, and such an item
 * is not declared to be anything else). Items used for staging, test or development never are.
 */
export function productionItemOfService(alias: string, service: string): string {
  return `${itemOfService(alias, service)}
    AND ${alias}.install_status = 'installed'
    AND (${usedForProduction(alias)}
         OR (${alias}.environment IS NULL AND NOT EXISTS (
           SELECT 1 FROM config_item other
           WHERE ${itemOfService('other', service)} AND other.install_status = 'installed'
             AND ${usedForProduction('other')})))`;
}

/**
 * A version as compared (controls.md "deployment version": a leading `v` is ignored): trimmed,
 * without one leading `v`/`V`, lower-cased (`V1.4.0-RC1` = `1.4.0-rc1`; short SHAs in either case).
 */
export function normalizedVersion(expr: string): string {
  return `LOWER(CASE WHEN LOWER(SUBSTR(TRIM(${expr}), 1, 1)) = 'v' THEN SUBSTR(TRIM(${expr}), 2) ELSE TRIM(${expr}) END)`;
}

/**
 * The deployment version of `d` (controls.md): the connector records the tag, the version variable
 * or the short SHA; a deployment recorded without one falls back to the short SHA here (GitLab's
 * `short_id` length). NULL when the deployed commit is unknown too (a Jenkins build without the
 * service's checkout), and when the deployment records no version while its variables (where the
 * version variable would be) could not be read: its version is then unknown, not its short SHA.
 */
export const DEPLOYED_VERSION = `CASE WHEN d.version IS NULL AND d.unread_fields LIKE '%"variables"%' THEN NULL
  ELSE COALESCE(d.version, NULLIF(SUBSTR(d.commit_sha, 1, 8), '')) END`;

/**
 * `d` (a production deployment with a service) is the service's latest successful production
 * deployment: its start is the latest of the service's, and no other starting then has a larger
 * (connector, id). Set-based — one grouped scan, then a tie check on (service, start) — so that it
 * costs the same whichever deployment is asked about: a per-deployment "is there a later one"
 * probe scans the service's history and grows with its square.
 */
export const LATEST_PRODUCTION_DEPLOYMENT = `(d.service, d.started_at) IN (
    SELECT latest.service, MAX(latest.started_at) FROM deployment latest
    WHERE ${productionDeployment('latest')} AND latest.service IS NOT NULL
    GROUP BY latest.service)
  AND NOT EXISTS (
    SELECT 1 FROM deployment tie
    WHERE tie.service = d.service AND tie.started_at = d.started_at AND ${productionDeployment('tie')}
      AND (tie.connector > d.connector
           OR (tie.connector = d.connector AND tie.external_id > d.external_id)))`;
