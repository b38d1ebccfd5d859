/** What both Vault streams share: how a list failure ends them, and how their records are batched. */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { Batch, StreamProblem } from '@audit-hub/plugin-sdk';
import type { VaultClient } from './vault.client';

/** Records per batch: a snapshot has no cursor, so batches only bound the size of one transaction. */
export const BATCH_SIZE = 500;

/**
 * The keys of a list, or undefined when its body is not a list (a problem is added: the stream ends
 * `partial`, never as an empty success that would mark everything deleted). Every other error is
 * thrown and fails the stream: a 403 names the missing `list` capability, a 429 or 5xx still
 * refused after the client's retries is retryable for the queue.
 */
export async function listOrProblem(
  client: VaultClient,
  path: string,
  kinds: RecordKind[],
  problems: StreamProblem[],
): Promise<string[] | undefined> {
  try {
    return await client.list(path);
  } catch (err) {
    if (!(isUpstreamError(err) && err.code === 'malformed')) throw err;
    problems.push({ where: client.listLabel(path), error: client.describe(err), kinds });
    return undefined;
  }
}

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
