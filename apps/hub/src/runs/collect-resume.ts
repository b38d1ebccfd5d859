/**
 * What a collect job keeps with each cursor it commits, so that a retried or recovered job of the
 * same run (a worker killed mid-stream, a stalled job handed to another worker) resumes without
 * counting a record twice: the count and problems as of that cursor, and which records the batch
 * committed with it held. A cursor may be inclusive — a watermark the upstream compares with `>=`
 * (GitLab `updated_after`, ServiceNow `sys_updated_on>=`) — so the first batch read again from it
 * repeats the records at the watermark, which that count already holds.
 */
import { createHash } from 'node:crypto';
import type { NormalizedRecord } from '@audit-hub/domain';
import type { SourceProblem } from '../store/entities/source-status.entity';

export interface ResumeState {
  records: number;
  problems: SourceProblem[];
  /** Short digests of the records (kind and external id) of the batch committed with the cursor. */
  lastBatch?: string[];
}

/** A record's identity within a connector, as a short digest (96 bits: no collision in a batch). */
function keyOf(record: Pick<NormalizedRecord, 'kind' | 'externalId'>): string {
  return createHash('sha256')
    .update(`${record.kind}\u0000${record.externalId}`, 'utf8')
    .digest('base64url')
    .slice(0, 16);
}

/** The `lastBatch` to keep with a cursor committed after `records`. */
export function batchKeys(records: readonly Pick<NormalizedRecord, 'kind' | 'externalId'>[]): string[] {
  return [...new Set(records.map(keyOf))];
}

/**
 * Counts the records of each batch a resumed read yields, leaving out, in its first batch with
 * records, those the batch committed with the cursor already counted. Later batches count whole:
 * a record met again further on (an MR shipped with two deployments pages apart) counts again, as
 * it does in a read that was never interrupted.
 */
export class ResumeCounter {
  private overlap: ReadonlySet<string>;

  constructor(lastBatch: readonly string[] = []) {
    this.overlap = new Set(lastBatch);
  }

  count(records: readonly Pick<NormalizedRecord, 'kind' | 'externalId'>[]): number {
    if (records.length === 0) return 0;
    const overlap = this.overlap;
    this.overlap = new Set();
    if (overlap.size === 0) return records.length;
    return records.filter((r) => !overlap.has(keyOf(r))).length;
  }
}
