/** Queries and helpers several deployment controls share. */
import { parseJson } from '../common/json';
import { deploymentRefFromExternalId } from '@audit-hub/domain';
import { chunk, Queryable, sqlQuery } from '../common/sql';
import type { Flag } from './control';

/** The audited population (controls.md) under another table alias. */
export function productionDeployment(alias: string): string {
  return `${alias}.is_production = TRUE AND ${alias}.status = 'success' AND ${alias}.deleted = FALSE`;
}

/** The audited population (controls.md): successful production deployments still on record. */
export const PRODUCTION_DEPLOYMENT = productionDeployment('d');

/** The columns every deployment-subject control selects as `d`. */
export const DEPLOYMENT_COLUMNS =
  'd.connector, d.external_id, d.project, d.service, d.environment, d.started_at';

export interface DeploymentRow {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  environment: string;
  started_at: string;
}

/**
 * Whether a deployment's pipeline variables could not be read (`deployment.unread_fields`, a JSON
 * list of field names as the query returns it): a link source of its changes, and where its
 * version variable would be, are then unknown.
 */
export function variablesUnread(unreadFields: string | null | undefined): boolean {
  return (parseJson<string[]>(unreadFields ?? null) ?? []).includes('variables');
}

/** The subject part of a deployment finding. */
export function deploymentSubject(
  d: DeploymentRow,
): Pick<Flag, 'subjectType' | 'subjectRef' | 'subjectConnector' | 'service' | 'environment'> {
  return {
    subjectType: 'deployment',
    subjectRef: deploymentRefFromExternalId(d.connector, d.project, d.external_id),
    subjectConnector: d.connector,
    service: d.service ?? undefined,
    environment: d.environment,
  };
}

/** `2026-11-02 14:05 UTC`: how reasons print instants. */
export function fmt(iso: string | null | undefined): string {
  if (!iso) return 'an unknown time';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface LinkReference {
  changeNumber: string;
  foundIn: string;
  sourceRef: string | null;
}

/** The change numbers each deployment references (existing in the change source or not). */
export async function linkReferencesOf(
  db: Queryable,
  deployments: { connector: string; externalId: string }[],
): Promise<Map<string, LinkReference[]>> {
  const out = new Map<string, LinkReference[]>();
  const byConnector = new Map<string, string[]>();
  for (const d of deployments) {
    const list = byConnector.get(d.connector) ?? [];
    list.push(d.externalId);
    byConnector.set(d.connector, list);
  }
  for (const [connector, ids] of byConnector) {
    for (const part of chunk(ids)) {
      const rows = await sqlQuery<{
        deployment_id: string;
        change_number: string;
        found_in: string;
        source_ref: string | null;
      }>(
        db,
        `SELECT deployment_id, change_number, found_in, source_ref FROM link
         WHERE deployment_connector = :connector AND deployment_id IN (:...ids)
         ORDER BY deployment_id, change_number, found_in`,
        { connector, ids: part },
      );
      for (const r of rows) {
        const key = `${connector}\u0000${r.deployment_id}`;
        const list = out.get(key) ?? [];
        list.push({ changeNumber: r.change_number, foundIn: r.found_in, sourceRef: r.source_ref });
        out.set(key, list);
      }
    }
  }
  return out;
}
