/**
 * Extension points of a run: what happens with each committed batch of a collect job (in its
 * transaction: page digests and record versions for the evidence ledger) and once a run ended
 * (a signed checkpoint, the remediation relay). Registered under the tokens below.
 */
import type { EntityManager } from 'typeorm';
import type { NormalizedRecord, RunStatus } from '@audit-hub/domain';
import type { ResponseInfo } from '@audit-hub/http';

export interface CollectedBatch {
  runId: string;
  connector: string;
  stream: string;
  /** The upstream responses read for this batch (method, url, status, sha256, bytes). */
  pages: ResponseInfo[];
  records: NormalizedRecord[];
  cursor?: unknown;
}

export interface CollectBatchListener {
  onBatch(manager: EntityManager, batch: CollectedBatch): Promise<void>;
}

export interface RunFinishedListener {
  onRunFinished(runId: string, status: RunStatus): Promise<void>;
}

export const COLLECT_BATCH_LISTENERS = Symbol('COLLECT_BATCH_LISTENERS');
export const RUN_FINISHED_LISTENERS = Symbol('RUN_FINISHED_LISTENERS');
