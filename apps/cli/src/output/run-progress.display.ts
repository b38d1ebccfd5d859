/**
 * A run's progress on stderr (reconcile, demo). On a terminal: an overall bar (sources done of
 * those planned, records-weighted when an earlier run gives an estimate for every source, records,
 * pages, and an ETA only when there is an estimate) and a line per source (connector/stream, its
 * state, records, pages), redrawn in place. Elsewhere (a pipe, a CI log): plain lines, no bar and no
 * redrawing — the plan, one line per source as it ends, and the totals.
 *
 * The counts come from apps/hub/src/runs/run-progress.ts; every number is against the same list of
 * planned sources, so the first line and the run's summary name the same number of streams.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { PlannedSource } from '../../../hub/src/runs/job.types';
import {
  isDone,
  summarize,
  type ProgressSummary,
  type RunProgressTracker,
  type StreamProgress,
} from '../../../hub/src/runs/run-progress';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function formatDuration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const name = (s: { connector: string; stream: string }) => `${s.connector}/${s.stream}`;

/** The first line: how many streams, and which come later or failed already. */
export function plannedLine(sources: PlannedSource[], from?: string): string {
  const now = sources.filter((s) => s.when === 'collect');
  const later = sources.filter((s) => s.when === 'after-collect');
  const failed = sources.filter((s) => s.when === 'failed');
  const parts = [`${now.length} now`];
  if (later.length) parts.push(`${later.length} after them (${later.map(name).join(', ')})`);
  if (failed.length) parts.push(`${failed.length} could not connect (${failed.map(name).join(', ')})`);
  const detail = later.length || failed.length ? `: ${parts.join(', ')}` : '';
  return `Collecting ${plural(sources.length, 'stream')}${from ? ` from ${from}` : ''}${detail}…\n`;
}

/** A source's line once it ended (plain output). */
export function endedLine(s: StreamProgress, summary: ProgressSummary): string {
  const eta = summary.etaMs !== null ? `; about ${formatDuration(summary.etaMs)} left` : '';
  return `  [${summary.done}/${summary.total}] ${name(s)} ${s.state}: ${plural(s.records, 'record')}, ${plural(s.pages, 'page')}${eta}\n`;
}

/** The last line of the collection: totals by outcome. */
export function collectedLine(streams: StreamProgress[], summary: ProgressSummary): string {
  const by = (state: string) => streams.filter((s) => s.state === state).length;
  const outcomes = (['complete', 'partial', 'failed'] as const)
    .filter((st) => by(st))
    .map((st) => `${by(st)} ${st}`);
  const unfinished = summary.total - summary.done;
  if (unfinished) outcomes.push(`${unfinished} unfinished`);
  return `Collected ${plural(summary.records, 'record')} (${plural(summary.pages, 'page')}) from ${plural(summary.total, 'stream')}: ${outcomes.join(', ')}.\n`;
}

function overallText(summary: ProgressSummary, evaluating: boolean, extra: string, width = 16): string {
  const filled = Math.round(summary.fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const pct = `${Math.floor(summary.fraction * 100)}%`.padStart(4);
  const eta = summary.etaMs !== null ? ` | ETA ${formatDuration(summary.etaMs)}` : '';
  const phase = evaluating ? 'evaluate' : 'collect ';
  return ` ${phase} [${bar}] ${pct} ${summary.done}/${summary.total} streams | ${summary.records} records | ${summary.pages} pages${eta}${extra}`;
}

function streamText(s: StreamProgress, width: number): string {
  const state = s.state === 'waiting' && s.when === 'after-collect' ? 'after collect' : s.state;
  const expected = s.expected !== undefined && !isDone(s) ? ` of ~${s.expected}` : '';
  return `   ${name(s).padEnd(width)}  ${state.padEnd(13)} ${String(s.records).padStart(7)} records${expected}  ${s.pages} pages`;
}

export interface RunProgressOptions {
  /** What is collected from, for the first line ("the simulated GitLab, …"). */
  from?: string;
  /** More of the overall line (e.g. the sandbox's request count). */
  extra?: () => string;
  pollMs?: number;
  now?: () => number;
}

export class RunProgressDisplay {
  private runId?: string;
  private sources: PlannedSource[] = [];
  private startedAt = 0;
  private timer?: NodeJS.Timeout;
  private readonly printed = new Set<string>();
  private bars?: MultiBar;
  private overall?: SingleBar;
  private lines = new Map<string, SingleBar>();
  private polling?: Promise<void>;
  private last: StreamProgress[] = [];
  private ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly out: ProgressSink,
    private readonly tracker: RunProgressTracker,
    private readonly options: RunProgressOptions = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get tty(): boolean {
    return !!this.out.isTTY;
  }

  /** The run is planned: shows the plan and starts following it (the run goes on meanwhile). */
  planned(runId: string, sources: PlannedSource[]): void {
    this.runId = runId;
    this.sources = sources;
    this.startedAt = this.now();
    this.ready = this.start(runId, sources);
  }

  private async start(runId: string, sources: PlannedSource[]): Promise<void> {
    await this.tracker.loadEstimates(runId, sources).catch(() => undefined); // no estimate: no ETA
    this.out.write(plannedLine(sources, this.options.from));
    if (this.tty) {
      const width = Math.max(...sources.map((s) => name(s).length), 10);
      this.bars = new MultiBar({
        stream: this.out as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
        format: (_o, _p, payload: { text?: string }) => payload.text ?? '',
      });
      this.overall = this.bars.create(1, 0, { text: '' });
      for (const s of sources) this.lines.set(name(s), this.bars.create(1, 0, { text: '' }));
      this.lines.forEach((bar, key) => bar.update(0, { text: `   ${key.padEnd(width)}  waiting` }));
    }
    const pollMs = this.options.pollMs ?? (this.tty ? 250 : 500);
    this.timer = setInterval(() => void this.refresh(), pollMs);
    this.timer.unref();
  }

  /** Reads the progress once and shows it; overlapping calls share one read. */
  refresh(): Promise<void> {
    if (!this.runId) return Promise.resolve();
    this.polling ??= this.read().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async read(): Promise<void> {
    await this.ready; // the plan's line comes first
    let streams: StreamProgress[];
    try {
      streams = await this.tracker.snapshot(this.runId!, this.sources);
    } catch {
      return; // the store is busy or gone; the run itself reports that
    }
    this.last = streams;
    const summary = summarize(streams, this.now() - this.startedAt);
    if (this.tty) {
      const evaluating = streams.every((s) => s.when !== 'collect' || isDone(s));
      const width = Math.max(...streams.map((s) => name(s).length), 10);
      this.overall?.update(0, { text: overallText(summary, evaluating, this.options.extra?.() ?? '') });
      for (const s of streams) this.lines.get(name(s))?.update(0, { text: streamText(s, width) });
      return;
    }
    // Plain: one line per source as it ends, in the order they were seen to end.
    let done = streams.filter((s) => this.printed.has(name(s))).length;
    for (const s of streams) {
      if (!isDone(s) || this.printed.has(name(s))) continue;
      this.printed.add(name(s));
      done += 1;
      this.out.write(endedLine(s, { ...summary, done }));
    }
  }

  /** The run ended: the last state, then the totals. */
  async finish(): Promise<void> {
    if (!this.runId) return;
    await this.ready;
    this.stopTimer();
    await this.refresh();
    this.bars?.stop();
    this.bars = undefined;
    const summary = summarize(this.last, this.now() - this.startedAt);
    this.out.write(collectedLine(this.last, summary));
    this.runId = undefined;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops drawing (an error ended the command). */
  stop(): void {
    this.stopTimer();
    this.bars?.stop();
    this.bars = undefined;
  }
}
