/** What every ServiceNow stream shares: where an incremental read starts, its cursor, and how it ends. */
import type { RecordKind } from '@audit-hub/domain';
import type { Batch, ReadInput, StreamProblem } from '@audit-hub/plugin-sdk';
import {
  MalformedPageError,
  type UpdatedPage,
  formatSnTime,
  isSnTime,
  unprovenProblem,
} from '@audit-hub/servicenow-table';

/** The cursor of an incremental stream: the highest `sys_updated_on` stored (UTC, as ServiceNow writes it). */
export type WatermarkCursor = { updatedOn: string };

/**
 * Where an incremental read starts: the saved watermark; on a first or full run, `since` for
 * history (changes, approvals: older history is not collected), or every row for a population
 * (users: a person last updated years ago is still a person).
 */
export function startFrom(stream: string, input: ReadInput, firstRun: 'since' | 'everything'): string | null {
  const cursor = input.full ? null : input.cursor;
  if (cursor !== null && cursor !== undefined) {
    const updatedOn = typeof cursor === 'object' ? (cursor as Record<string, unknown>).updatedOn : undefined;
    if (isSnTime(updatedOn)) return updatedOn;
    throw new Error(
      `servicenow ${stream}: the saved cursor ${JSON.stringify(cursor)} is not {"updatedOn": "YYYY-MM-DD HH:MM:SS"}; run with --full to start over`,
    );
  }
  return firstRun === 'since' ? formatSnTime(input.since) : null;
}

/**
 * Passes a stream's batches on with their problems redacted. A malformed page ends the stream with
 * a problem naming the request (the stream is `partial`, and the cursor stays at the last good
 * page): it never ends as an empty success. Any other error is thrown: the stream failed.
 */
export async function* endOnMalformedPage(
  kinds: RecordKind[],
  redact: (text: string) => string,
  batches: AsyncIterable<Batch>,
): AsyncGenerator<Batch> {
  const clean = (problems: StreamProblem[] | undefined) =>
    problems?.length
      ? problems.map((p) => ({ ...p, where: redact(p.where), error: redact(p.error) }))
      : undefined;
  try {
    for await (const batch of batches) {
      const { problems, ...rest } = batch;
      const redacted = clean(problems);
      yield redacted ? { ...rest, problems: redacted } : rest;
    }
  } catch (err) {
    if (!(err instanceof MalformedPageError)) throw err;
    yield { records: [], problems: clean([{ where: err.where, error: err.reason, kinds }]) };
  }
}

/**
 * One incremental page as a batch: its records and problems, the page's watermark as cursor (none
 * before anything was read), and a problem when the read could not prove it read every row.
 */
export function updatedBatch(
  page: UpdatedPage,
  records: Batch['records'],
  problems: StreamProblem[],
  kinds: RecordKind[],
): Batch {
  const all = page.unproven ? [...problems, unprovenProblem(page.unproven, kinds)] : problems;
  const cursor: WatermarkCursor | undefined =
    page.watermark === null ? undefined : { updatedOn: page.watermark };
  return { records, ...(cursor ? { cursor } : {}), ...(all.length ? { problems: all } : {}) };
}
