/**
 * Problems a stream met, as the run keeps and reports them: one entry per kind of problem, with
 * how often it happened and the first places it met, instead of one line per page or item. A
 * Reporter-role GitLab token meets one 403 per deployment; the run summary says so once
 * ("403 … — 1,204 times (first: …); fix: …"), and the stored status stays small however many
 * items hit it.
 *
 * Two problems are of one kind when the plugin gave them the same `code`, or, without one, the
 * same error text; and when they leave the same record kinds incomplete.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { SourceProblem } from '../store/entities/source-status.entity';

/** The places kept per kind of problem (the count keeps the rest). */
export const PROBLEM_EXAMPLES = 5;

/** A problem as the collector has it, redacted. */
export type IncomingProblem = Pick<StreamProblem, 'where' | 'error' | 'kinds' | 'code' | 'fix' | 'lasting'>;

interface ProblemGroupFields {
  where: string;
  error: string;
  kinds?: RecordKind[];
  code?: string;
  fix?: string;
  lasting?: boolean;
  count: number;
  /** The first places it met (at most PROBLEM_EXAMPLES), `where` first. */
  examples: string[];
}

export interface GroupedProblem extends ProblemGroupFields {
  /** One line an operator reads: the error, how often, where first, and the fix. */
  message: string;
  [detail: string]: unknown;
}

function groupKey(p: { code?: string; error?: string; kinds?: RecordKind[] }): string {
  const kinds = p.kinds ? [...p.kinds].sort().join(',') : '*';
  return `${p.code ? `code:${p.code}` : `error:${p.error ?? ''}`}\u0000${kinds}`;
}

/** The one-line message of a group. */
export function problemMessage(g: ProblemGroupFields): string {
  const fix = g.fix ? `; fix: ${g.fix}` : '';
  if (g.count <= 1) return `${g.where}: ${g.error}${fix}`;
  const more = g.count > g.examples.length ? ', …' : '';
  return `${g.error} — ${g.count.toLocaleString('en-US')} times (first: ${g.examples.join(', ')}${more})${fix}`;
}

/**
 * Adds `incoming` to `groups` (kept as stored: entries written before grouping existed, with only
 * a `message`, count once each) and returns the new list; `groups` is not changed.
 */
export function addProblems(
  groups: readonly SourceProblem[],
  incoming: readonly IncomingProblem[],
): GroupedProblem[] {
  const out = groups.map(normalize);
  const index = new Map(out.map((g, i) => [groupKey(g), i]));
  for (const p of incoming) {
    const key = groupKey(p);
    const at = index.get(key);
    if (at === undefined) {
      const g: ProblemGroupFields = {
        where: p.where,
        error: p.error,
        ...(p.kinds ? { kinds: [...p.kinds] } : {}),
        ...(p.code ? { code: p.code } : {}),
        ...(p.fix ? { fix: p.fix } : {}),
        ...(p.lasting ? { lasting: true } : {}),
        count: 1,
        examples: [p.where],
      };
      index.set(key, out.length);
      out.push({ message: problemMessage(g), ...g });
      continue;
    }
    const g = out[at];
    const examples =
      g.examples.length < PROBLEM_EXAMPLES && !g.examples.includes(p.where)
        ? [...g.examples, p.where]
        : g.examples;
    const next = { ...g, count: g.count + 1, examples, ...(g.fix || !p.fix ? {} : { fix: p.fix }) };
    out[at] = { ...next, message: problemMessage(next) };
  }
  return out;
}

/** A stored entry as a group (entries stored before grouping have only `message` and `where`). */
function normalize(p: SourceProblem): GroupedProblem {
  const g = p as Partial<GroupedProblem>;
  if (typeof g.count === 'number' && Array.isArray(g.examples) && typeof g.error === 'string')
    return g as GroupedProblem;
  const where = typeof g.where === 'string' ? g.where : '';
  const error =
    typeof g.error === 'string'
      ? g.error
      : p.message.startsWith(`${where}: `)
        ? p.message.slice(where.length + 2)
        : p.message;
  return {
    ...g,
    message: p.message,
    where,
    error,
    count: 1,
    examples: where ? [where] : [],
  } as GroupedProblem;
}

/** How many problems the groups stand for. */
export function problemCount(groups: readonly SourceProblem[] | undefined): number {
  return (groups ?? []).reduce(
    (n, g) => n + (typeof (g as GroupedProblem).count === 'number' ? (g as GroupedProblem).count : 1),
    0,
  );
}

/**
 * The record kinds the problems leave incomplete; `undefined` when some problem names none (then
 * every kind of the stream is).
 */
export function incompleteKinds(groups: readonly SourceProblem[] | undefined): RecordKind[] | undefined {
  const kinds = new Set<RecordKind>();
  for (const g of groups ?? []) {
    const k = (g as GroupedProblem).kinds;
    if (!Array.isArray(k)) return undefined;
    for (const kind of k) kinds.add(kind);
  }
  return [...kinds];
}
