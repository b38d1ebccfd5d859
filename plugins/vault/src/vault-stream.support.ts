/** What both Vault streams share: how their records are batched (a list failure: vault-identity.scan.ts). */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { Batch, StreamProblem } from '@audit-hub/plugin-sdk';

/** Records per batch: a snapshot has no cursor, so batches only bound the size of one transaction. */
export const BATCH_SIZE = 500;

/**
 * The records in batches of `BATCH_SIZE`, the problems with the last one; always at least one
 * batch, so an empty population is a (complete) read of nothing.
 */
export function* inBatches(records: NormalizedRecord[], problems: StreamProblem[]): Generator<Batch> {
  const unique = dedupe(records);
  const last = Math.max(0, Math.ceil(unique.length / BATCH_SIZE) - 1) * BATCH_SIZE;
  for (let at = 0; at < last; at += BATCH_SIZE) yield { records: unique.slice(at, at + BATCH_SIZE) };
  const rest = unique.slice(last);
  yield problems.length > 0 ? { records: rest, problems } : { records: rest };
}

/** Each (kind, externalId) once, the first kept (names that only differ across the `:` or `/`). */
function dedupe(records: NormalizedRecord[]): NormalizedRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.kind}\u0000${record.externalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
