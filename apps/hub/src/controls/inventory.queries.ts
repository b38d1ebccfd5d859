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

/** Item `alias` is a current (not deleted) CMDB item of the service named by SQL expression `service`. */
export function itemOfService(alias: string, service: string): string {
  return `${alias}.deleted = FALSE AND (${alias}.service = ${service} OR ${alias}.name = si.cmdb_key)`;
}

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
 * service's checkout).
 */
export const DEPLOYED_VERSION = `COALESCE(d.version, NULLIF(SUBSTR(d.commit_sha, 1, 8), ''))`;

/** `d` is the service's latest successful production deployment (ties: the larger connector, id). */
export const LATEST_PRODUCTION_DEPLOYMENT = `NOT EXISTS (
    SELECT 1 FROM deployment later
    WHERE later.service = d.service AND later.is_production = TRUE AND later.status = 'success'
      AND later.deleted = FALSE
      AND (later.started_at > d.started_at
           OR (later.started_at = d.started_at
               AND (later.connector > d.connector
                    OR (later.connector = d.connector AND later.external_id > d.external_id)))))`;
