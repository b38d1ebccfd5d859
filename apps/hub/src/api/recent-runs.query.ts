import type { DataSource } from 'typeorm';
import { sqlQuery } from '../common/sql';

export interface RecentRunRow {
  id: string;
  started_at: string;
  finished_at: string | null;
  status: string;
}

/** The last `limit` finished runs, oldest first (the trend charts' x axis). */
export async function recentFinishedRuns(ds: DataSource, limit: number): Promise<RecentRunRow[]> {
  const rows = await sqlQuery<RecentRunRow>(
    ds,
    `SELECT id, started_at, finished_at, status FROM run WHERE finished_at IS NOT NULL
     ORDER BY started_at DESC, id DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  return rows.reverse();
}
