/** Queries several deployment controls share. */
import { chunk, Queryable, sqlQuery } from '../common/sql';

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
