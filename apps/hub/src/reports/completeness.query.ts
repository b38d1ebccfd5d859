/**
 * How completeness of the system-generated data was established (the auditor's IPE question):
 * for every source stream of the runs considered, its status and record count per run
 * (`source_status`), the records and upstream responses the evidence ledger recorded for it
 * (`record` and `page` entries, recounted here, not copied from the run's summary), the requests
 * of its last extraction as patterns (the endpoint and the filters it was read with), when it last
 * ended complete, and the record versions the store held at the as-of instant.
 */
import type { DataSource } from 'typeorm';
import { parseJson } from '../common/json';
import { chunk, sqlQuery } from '../common/sql';
import { compare } from './as-of.service';
import type { CompletenessSection, Instant, ReportRun, SourceExtraction, SourceStream } from './report.model';

/** Request patterns listed per stream; the rest are counted. */
export const QUERY_PATTERNS_SHOWN = 6;
const VALUE_LIMIT = 300;

interface StatusRow {
  run_id: string;
  connector: string;
  stream: string;
  status: string;
  records: number | string;
  error: string | null;
  problems: unknown;
  kinds: unknown;
  started_at: string;
  finished_at: string | null;
}

function segmentPattern(segment: string): string {
  if (/^\d+$/.test(segment)) return '{n}';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return '{id}';
  if (/^[0-9a-f]{7,64}$/i.test(segment) && /\d/.test(segment)) return '{sha}';
  return segment;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Groups the requests of one extraction into patterns: `GET /api/v4/projects/{n}/deployments
 * ?environment=production&updated_after=2026-09-08T00:00:00Z&page=…`, a parameter shown with its
 * value when every request of the pattern used the same one (a filter), as `…` otherwise (paging).
 */
export function requestPatterns(
  requests: readonly { method: string; url: string }[],
): { request: string; count: number }[] {
  const groups = new Map<string, { count: number; params: Map<string, Set<string>>; order: string[] }>();
  for (const r of requests) {
    const q = r.url.indexOf('?');
    const path = q < 0 ? r.url : r.url.slice(0, q);
    const key = `${r.method.toUpperCase()} ${path.split('/').map(segmentPattern).join('/')}`;
    const g = groups.get(key) ?? { count: 0, params: new Map<string, Set<string>>(), order: [] as string[] };
    g.count++;
    if (q >= 0) {
      for (const part of r.url.slice(q + 1).split('&')) {
        if (!part) continue;
        const eq = part.indexOf('=');
        const name = decode(eq < 0 ? part : part.slice(0, eq));
        const value = eq < 0 ? '' : decode(part.slice(eq + 1));
        if (!g.params.has(name)) {
          g.params.set(name, new Set());
          g.order.push(name);
        }
        g.params.get(name)!.add(value);
      }
    }
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => {
      const query = g.order.map((name) => {
        const values = g.params.get(name)!;
        // A parameter some requests lacked varies too.
        if (values.size !== 1) return `${name}=…`;
        const [v] = values;
        return `${name}=${v.length > VALUE_LIMIT ? `${v.slice(0, VALUE_LIMIT)}…` : v}`;
      });
      return { request: query.length ? `${key}?${query.join('&')}` : key, count: g.count };
    })
    .sort((a, b) => b.count - a.count || compare(a.request, b.request));
}

async function tableExists(ds: DataSource, name: string): Promise<boolean> {
  const runner = ds.createQueryRunner();
  try {
    return await runner.hasTable(name);
  } finally {
    await runner.release();
  }
}

export async function buildCompleteness(
  ds: DataSource,
  runs: readonly ReportRun[],
  asOf: Instant,
  plugins: ReadonlyMap<string, string>,
): Promise<CompletenessSection> {
  const runIds = runs.map((r) => r.id);
  const runOrder = new Map(runIds.map((id, i) => [id, i]));
  const statuses: StatusRow[] = [];
  for (const part of chunk(runIds))
    statuses.push(
      ...(await sqlQuery<StatusRow>(
        ds,
        `SELECT run_id, connector, stream, status, records, error, problems, kinds, started_at, finished_at
         FROM source_status WHERE run_id IN (:...ids)`,
        { ids: part },
      )),
    );
  const ledger = await tableExists(ds, 'evidence_entry');
  const pageCounts = new Map<string, number>();
  const recordCounts = new Map<string, number>();
  if (ledger) {
    for (const part of chunk(runIds)) {
      for (const r of await sqlQuery<{ run_id: string; subject: string; n: number | string }>(
        ds,
        `SELECT run_id, subject, COUNT(*) AS n FROM evidence_entry
         WHERE type = 'page' AND run_id IN (:...ids) GROUP BY run_id, subject`,
        { ids: part },
      ))
        pageCounts.set(`${r.run_id} ${r.subject}`, Number(r.n));
      for (const r of await sqlQuery<{ run_id: string; subject: string; payload: unknown }>(
        ds,
        `SELECT run_id, subject, payload FROM evidence_entry WHERE type = 'record' AND run_id IN (:...ids)`,
        { ids: part },
      )) {
        const key = `${r.run_id} ${r.subject}`;
        const count = Number(parseJson<{ count?: number }>(r.payload)?.count ?? 0);
        recordCounts.set(key, (recordCounts.get(key) ?? 0) + count);
      }
    }
  }

  const extractions: SourceExtraction[] = statuses
    .map((s) => {
      const key = `${s.run_id} ${s.connector}/${s.stream}`;
      return {
        runId: s.run_id,
        connector: s.connector,
        stream: s.stream,
        status: s.status,
        records: Number(s.records),
        ledgerRecords: recordCounts.get(key) ?? 0,
        pages: pageCounts.get(key) ?? 0,
        startedAt: s.started_at,
        finishedAt: s.finished_at,
        error: s.error,
        problems: (parseJson<{ message?: string }[]>(s.problems) ?? []).map((p) => String(p.message ?? p)),
      };
    })
    .sort(
      (a, b) =>
        (runOrder.get(a.runId) ?? 0) - (runOrder.get(b.runId) ?? 0) ||
        compare(a.connector, b.connector) ||
        compare(a.stream, b.stream),
    );
  const kindsOf = new Map<string, string[]>(
    statuses.map((s) => [`${s.connector}/${s.stream}`, parseJson<string[]>(s.kinds) ?? []]),
  );

  const byStream = new Map<string, SourceExtraction[]>();
  for (const e of extractions) {
    const key = `${e.connector}/${e.stream}`;
    byStream.set(key, [...(byStream.get(key) ?? []), e]);
  }
  // The requests of each stream's last extraction, read from its `page` entries.
  const requests = new Map<string, { method: string; url: string; status: number }[]>();
  const lastRuns = [...new Set([...byStream.values()].map((list) => list[list.length - 1].runId))];
  if (ledger) {
    for (const part of chunk(lastRuns)) {
      for (const r of await sqlQuery<{ run_id: string; subject: string; payload: unknown }>(
        ds,
        `SELECT run_id, subject, payload FROM evidence_entry WHERE type = 'page' AND run_id IN (:...ids) ORDER BY seq`,
        { ids: part },
      )) {
        const p = parseJson<{ method?: string; url?: string; status?: number }>(r.payload) ?? {};
        const key = `${r.run_id} ${r.subject}`;
        const list = requests.get(key) ?? [];
        list.push({ method: String(p.method ?? 'GET'), url: String(p.url ?? ''), status: Number(p.status) });
        requests.set(key, list);
      }
    }
  }
  const cursors = new Map<string, { at: string | null; runId: string | null }>();
  if (await tableExists(ds, 'stream_cursor')) {
    for (const c of await sqlQuery<{
      connector: string;
      stream: string;
      last_success_at: string | null;
      last_run_id: string | null;
      updated_at: string;
    }>(ds, 'SELECT connector, stream, last_success_at, last_run_id, updated_at FROM stream_cursor')) {
      // Only what was known at the as-of instant: a later success is not reported.
      if (c.last_success_at && c.last_success_at <= asOf)
        cursors.set(`${c.connector}/${c.stream}`, {
          at: c.last_success_at,
          runId: c.updated_at <= asOf ? c.last_run_id : null,
        });
    }
  }

  const streams: SourceStream[] = [...byStream.entries()]
    .map(([key, list]) => {
      const last = list[list.length - 1];
      const seen = requests.get(`${last.runId} ${key}`) ?? [];
      const patterns = requestPatterns(seen);
      const succeeded = [...list].reverse().find((e) => e.status === 'complete');
      const cursor = cursors.get(key);
      return {
        connector: last.connector,
        plugin: plugins.get(last.connector) ?? last.connector,
        stream: last.stream,
        kinds: kindsOf.get(key) ?? [],
        runs: list.length,
        complete: list.filter((e) => e.status === 'complete').length,
        partial: list.filter((e) => e.status === 'partial').length,
        failed: list.filter((e) => e.status === 'failed').length,
        records: list.reduce((n, e) => n + e.records, 0),
        ledgerRecords: list.reduce((n, e) => n + e.ledgerRecords, 0),
        pages: list.reduce((n, e) => n + e.pages, 0),
        failedPages: seen.filter((r) => !(r.status >= 200 && r.status < 300)).length,
        firstExtractedAt: list[0].startedAt,
        last,
        queries: patterns.slice(0, QUERY_PATTERNS_SHOWN),
        moreQueries: Math.max(0, patterns.length - QUERY_PATTERNS_SHOWN),
        lastSuccessAt: succeeded?.finishedAt ?? cursor?.at ?? null,
        lastSuccessRunId: succeeded?.runId ?? cursor?.runId ?? null,
      };
    })
    .sort((a, b) => compare(a.connector, b.connector) || compare(a.stream, b.stream));

  const recordsHeld = (
    await sqlQuery<{ connector: string; kind: string; n: number | string }>(
      ds,
      `SELECT connector, kind, COUNT(*) AS n FROM record
       WHERE valid_from <= :asOf AND (valid_to IS NULL OR valid_to > :asOf) AND deleted_at IS NULL
       GROUP BY connector, kind`,
      { asOf },
    )
  )
    .map((r) => ({ connector: r.connector, kind: r.kind, count: Number(r.n) }))
    .sort((a, b) => compare(a.connector, b.connector) || compare(a.kind, b.kind));

  return {
    streams,
    extractions,
    recordsHeld,
    complete:
      streams.length > 0 &&
      extractions.every((e) => e.status === 'complete') &&
      (!ledger || extractions.every((e) => e.records === e.ledgerRecords)),
  };
}
