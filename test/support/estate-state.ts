import type { DataSource } from 'typeorm';

/** Live (current, not deleted) records per `connector/kind`; fails if a natural key has two. */
export async function liveRecords(ds: DataSource): Promise<Record<string, number>> {
  const dupes: unknown[] = await ds.query(
    `SELECT connector, kind, external_id FROM record WHERE valid_to IS NULL
       GROUP BY connector, kind, external_id HAVING COUNT(*) > 1`,
  );
  expect(dupes).toEqual([]);
  const rows: { connector: string; kind: string; n: string | number }[] = await ds.query(
    `SELECT connector, kind, COUNT(*) AS n FROM record WHERE valid_to IS NULL AND deleted_at IS NULL
       GROUP BY connector, kind`,
  );
  return Object.fromEntries(rows.map((r) => [`${r.connector}/${r.kind}`, Number(r.n)]));
}
