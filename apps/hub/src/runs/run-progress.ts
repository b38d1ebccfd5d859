/**
 * How far a run is, for the CLI's progress display: per planned source its state, records and
 * upstream pages so far, and the records an earlier run of the same kind read from it.
 *
 * Counting is against every source the run will report (`RunPlan.sources`: the collect jobs, the
 * sources read after them such as shipped ranges, the connectors that could not be connected), so
 * "N streams" is one number from the first line to the summary. A source is done once its
 * `source_status` row left `running`; records come from that row (committed, any process), pages
 * from the batches this process committed.
 *
 * Progress and ETA: with an estimate for every source, progress is records-weighted (a source
 * counts in proportion to the records it read of those expected, and in full once done) and the
 * ETA extrapolates the time so far; without one for some source there is no ETA, and progress is
 * the share of sources done.
 */
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { sqlQuery } from '../common/sql';
import type { PlannedSource } from './job.types';
import type { CollectBatchListener, CollectedBatch } from './run-lifecycle.listener';

export type StreamState = 'waiting' | 'reading' | 'complete' | 'partial' | 'failed';

export interface StreamProgress {
  connector: string;
  stream: string;
  when: PlannedSource['when'];
  state: StreamState;
  records: number;
  pages: number;
  /** Records an earlier run of the same kind read from this source; undefined when unknown. */
  expected?: number;
}

export interface ProgressSummary {
  total: number;
  done: number;
  records: number;
  pages: number;
  /** 0..1. */
  fraction: number;
  /** Whether `fraction` is records-weighted (every source has an estimate). */
  estimated: boolean;
  /** Milliseconds left, only when it can be estimated. */
  etaMs: number | null;
}

const ENDED: StreamState[] = ['complete', 'partial', 'failed'];

export function isDone(s: Pick<StreamProgress, 'state'>): boolean {
  return ENDED.includes(s.state);
}

/** The run's progress from its sources' progress, `elapsedMs` after the plan. */
export function summarize(streams: StreamProgress[], elapsedMs: number): ProgressSummary {
  const total = streams.length;
  const done = streams.filter(isDone).length;
  const records = streams.reduce((n, s) => n + s.records, 0);
  const pages = streams.reduce((n, s) => n + s.pages, 0);
  const estimated = total > 0 && streams.every((s) => s.expected !== undefined);
  let fraction = total ? done / total : 1;
  if (estimated) {
    // A source expected to read nothing still takes time: it weighs as one record.
    const weight = (s: StreamProgress) => Math.max(s.expected ?? 0, 1);
    const all = streams.reduce((n, s) => n + weight(s), 0);
    const read = streams.reduce(
      (n, s) => n + (isDone(s) ? weight(s) : Math.min(s.records, weight(s) * 0.99)),
      0,
    );
    fraction = read / all;
  }
  // Too early to extrapolate: less than 2% or less than a second in.
  const etaMs =
    estimated && done < total && fraction >= 0.02 && elapsedMs >= 1000
      ? Math.round((elapsedMs * (1 - fraction)) / fraction)
      : null;
  return { total, done, records, pages, fraction: Math.min(1, fraction), estimated, etaMs };
}

/** One earlier run's complete read of a source. */
export interface PastRead {
  records: number;
  /** The run was a full resync. */
  full: boolean;
  startedAt: string;
}

/**
 * The records this run should read from a source, from its earlier complete reads (newest first
 * where their start times are equal):
 * - an incremental source that has a cursor, in a run that is not a full resync, reads what changed
 *   since: the latest incremental read that was not the source's first one (a first read starts
 *   from the horizon, like a full one);
 * - otherwise (a snapshot, a first read, a full resync) it reads everything: the latest full
 *   resync, the source's first read, or — for a snapshot, whose every read is whole — the latest read.
 */
export function expectedRecords(
  past: PastRead[],
  source: { hasCursor: boolean; snapshot: boolean },
  runIsFull: boolean,
): number | undefined {
  // Stable: reads of one instant (a pinned run clock) keep the order given, newest first.
  const reads = [...past].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  if (!reads.length) return undefined;
  const first = reads[reads.length - 1];
  if (source.snapshot) return reads[0].records;
  if (source.hasCursor && !runIsFull) {
    return reads.find((r) => !r.full && r !== first)?.records;
  }
  return (reads.find((r) => r.full) ?? first).records;
}

/** Reads a run's progress from the store, with pages counted by this process's batches. */
export class RunProgressTracker {
  private readonly pages = new Map<string, number>();
  private readonly seen = new Set<string>();
  private expected = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

  private static key(runId: string, connector: string, stream: string): string {
    return `${runId}\u0000${connector}\u0000${stream}`;
  }

  /** Registered under COLLECT_BATCH_LISTENERS: counts each committed batch's pages. */
  listener(): CollectBatchListener {
    return {
      onBatch: async (_manager: EntityManager, batch: CollectedBatch) => {
        const key = RunProgressTracker.key(batch.runId, batch.connector, batch.stream);
        this.seen.add(key);
        this.pages.set(key, (this.pages.get(key) ?? 0) + batch.pages.length);
      },
    };
  }

  /** Loads the estimates for a planned run (once, right after planning). */
  async loadEstimates(runId: string, sources: PlannedSource[]): Promise<void> {
    const [run] = await sqlQuery<{ full_resync: boolean | number }>(
      this.dataSource,
      'SELECT full_resync FROM run WHERE id = :runId',
      { runId },
    );
    const runIsFull = !!Number(run?.full_resync ?? 0);
    const history = await sqlQuery<{
      connector: string;
      stream: string;
      records: number | string;
      full_resync: boolean | number;
      started_at: string;
    }>(
      this.dataSource,
      `SELECT s.connector, s.stream, s.records, r.full_resync, r.started_at
       FROM source_status s JOIN run r ON r.id = s.run_id
       WHERE s.status = 'complete' AND r.id <> :runId AND r.finished_at IS NOT NULL
       ORDER BY r.started_at DESC, r.heartbeat_at DESC LIMIT 5000`,
      { runId },
    );
    const cursors = await sqlQuery<{ connector: string; stream: string; cursor: string | null }>(
      this.dataSource,
      'SELECT connector, stream, cursor FROM stream_cursor',
    );
    this.expected = new Map();
    for (const s of sources) {
      if (s.when === 'failed') {
        this.expected.set(RunProgressTracker.key(runId, s.connector, s.stream), 0);
        continue;
      }
      const past = history
        .filter((h) => h.connector === s.connector && h.stream === s.stream)
        .map((h) => ({ records: Number(h.records), full: !!Number(h.full_resync), startedAt: h.started_at }));
      const row = cursors.find((c) => c.connector === s.connector && c.stream === s.stream);
      // A stream whose row holds no cursor keeps none: it reads everything every time (a snapshot).
      const source = { hasCursor: !!row && row.cursor !== null, snapshot: !!row && row.cursor === null };
      const n = expectedRecords(past, source, runIsFull);
      if (n !== undefined) this.expected.set(RunProgressTracker.key(runId, s.connector, s.stream), n);
    }
  }

  async snapshot(runId: string, sources: PlannedSource[]): Promise<StreamProgress[]> {
    const rows = await sqlQuery<{
      connector: string;
      stream: string;
      status: string;
      records: number | string;
    }>(
      this.dataSource,
      'SELECT connector, stream, status, records FROM source_status WHERE run_id = :runId',
      { runId },
    );
    const byKey = new Map(rows.map((r) => [`${r.connector}\u0000${r.stream}`, r]));
    return sources.map((s) => {
      const key = RunProgressTracker.key(runId, s.connector, s.stream);
      const row = byKey.get(`${s.connector}\u0000${s.stream}`);
      const records = Number(row?.records ?? 0);
      const status = row?.status ?? 'running';
      const state: StreamState =
        status === 'complete' || status === 'partial' || status === 'failed'
          ? status
          : records > 0 || this.seen.has(key)
            ? 'reading'
            : 'waiting';
      return {
        connector: s.connector,
        stream: s.stream,
        when: s.when,
        state,
        records,
        pages: this.pages.get(key) ?? 0,
        ...(this.expected.has(key) ? { expected: this.expected.get(key) } : {}),
      };
    });
  }
}
