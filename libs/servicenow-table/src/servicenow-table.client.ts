/**
 * Table API reads (`GET /api/now/table/<table>`) of the servicenow plugin (every stream) and the
 * cmdb plugin (the inventory snapshot): paging, lookups by sys_id, the one-row probe of
 * `connectors check`, and the shape checks that turn a broken answer into a `MalformedPageError`
 * instead of an empty success.
 *
 * Paging rules (Table API reference, `c_TableAPI.md`, GET /now/table/{tableName}):
 * - `sysparm_limit` "is applied before ACL evaluation": the instance takes a window of rows, then
 *   drops those the user may not read. A page can hold fewer rows than asked for, or none, while
 *   more rows follow — an empty page is not the end either. What does not lie is `X-Total-Count`
 *   (sent unless `sysparm_no_count=true`): a `select count(*)` of the query, before row ACLs. A
 *   window at offset 0 holds every match when the count is at most the limit; every read here ends
 *   on that proof, or says it could not prove it (`unproven`).
 * - Offsets over rows that change during the read skip rows, so no read here steps by offset.
 *   Reads restart at the last key read instead: snapshots by `sys_id>LAST^ORDERBYsys_id`,
 *   incremental reads at the highest `sys_updated_on` read (`sys_updated_on>=W`, offset 0, the rows
 *   of second W already read skipped by sys_id; when a whole window sits in that second, the rest of
 *   the second is read by sys_id). A row updated meanwhile moves to the present, past the position.
 * - When a window comes back empty and the count says more rows follow (a block of at least
 *   `pageSize` hidden rows), the rest of the range is split by key (servicenow-key-range.ts) and
 *   each half read the same way, so the read goes on past the hidden block instead of ending there.
 */
import { type HttpClient, isUpstreamError } from '@audit-hub/http';
import { isOneSecond, sysIdBetween, timeBetween } from './servicenow-key-range';
import { MalformedPageError } from './servicenow-page.error';
import type { TableRow } from './servicenow-table.types';
import { isSnTime, text } from './servicenow-value.parser';

export const TABLE_API = '/api/now/table';

/** sys_ids per lookup: 100 × 33 characters keeps the URL near 3.5 kB, well below instance and proxy limits. */
export const LOOKUP_CHUNK = 100;

export interface TableRead {
  table: string;
  /** Encoded-query conditions ANDed in front of the paging ones (no `ORDERBY`, no `^NQ`). */
  filter?: string;
  /** `sysparm_fields`; the paging fields (`sys_id`, `sys_updated_on`) are added when missing. */
  fields: readonly string[];
}

export interface UpdatedSinceRead extends TableRead {
  /** Inclusive lower bound on `sys_updated_on` (`YYYY-MM-DD HH:MM:SS`, UTC); null reads every row. */
  from: string | null;
}

export interface TablePage {
  rows: TableRow[];
  /** The request, for problems: `GET /api/now/table/<table> (sysparm_query=…, sysparm_offset=N)`. */
  where: string;
  /** `X-Total-Count`: the rows the query matched before row ACLs; undefined when not sent. */
  total?: number;
}

/** Why a read could not prove it read every readable row: the streams report it as a problem. */
export interface Unproven {
  /** The request the read ended on. */
  where: string;
  reason: string;
}

export interface SnapshotPage extends TablePage {
  /**
   * Rows the integration user may not read that this page's windows held (counted, not returned).
   * A snapshot with hidden rows cannot tell a hidden record from a deleted one.
   */
  hidden: number;
  /** Set on the last page when the read could not prove it was whole. */
  unproven?: Unproven;
}

export interface UpdatedPage extends TablePage {
  /** The highest `sys_updated_on` read so far: the cursor to save once these rows are stored; null before any. */
  watermark: string | null;
  /** Set on the last page when the read could not prove it read every readable row. */
  unproven?: Unproven;
}

/** What a lookup found: the readable rows, and why each other sys_id is missing. */
export interface LookupResult {
  rows: TableRow[];
  /**
   * sys_id → `hidden` (counted by the instance, so it exists, but a row ACL hides it), `deleted`
   * (not counted: no such row), or `hidden-or-deleted` (a chunk held both kinds).
   */
  missing: Map<string, MissingReason>;
}

export type MissingReason = 'hidden' | 'deleted' | 'hidden-or-deleted';

interface PageRequest {
  query: string;
  fields: readonly string[];
  limit: number;
  offset: number;
  /** Replaces the query in `where` (a lookup's long `sys_idIN…` list). */
  label?: string;
}

/** Where an incremental read stands: second `at` fully read (`whole`), or read for the sys_ids in `seen`. */
interface TimeCursor {
  at: string | null;
  seen: Set<string>;
  whole: boolean;
}

const NO_COUNT =
  'the instance sent no X-Total-Count header, so a page emptied by row ACLs cannot be told from the end of the table (a proxy that drops the header?)';

export class ServiceNowTableClient {
  constructor(
    private readonly http: HttpClient,
    /** `sysparm_limit` of paged reads. */
    readonly pageSize: number,
    /** The run's clock: where an open time range is first cut when hidden rows force a split. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The rows changed at or after `from`, oldest first, each row once per read (a row updated during
   * the read comes again, later); pages without a row not read before are not yielded, except a
   * last one that carries `unproven`.
   */
  async *updatedSince(read: UpdatedSinceRead): AsyncGenerator<UpdatedPage> {
    const fields = withFields(read.fields, ['sys_id', 'sys_updated_on']);
    const state = { watermark: read.from };
    const start: TimeCursor = { at: read.from, seen: new Set(), whole: false };
    // A read without counts meets its unprovable ends more than once (each second, each range): say it once.
    let said = false;
    for await (const page of this.timeRange(read, fields, start, undefined, state)) {
      if (!page.unproven) yield page;
      else if (!said) {
        said = true;
        yield page;
      } else if (page.rows.length > 0) yield { ...page, unproven: undefined };
    }
  }

  /** `[cursor, upTo]` in `sys_updated_on` order (see the paging rules above). */
  private async *timeRange(
    read: TableRead,
    fields: readonly string[],
    start: TimeCursor,
    upTo: string | undefined,
    state: { watermark: string | null },
  ): AsyncGenerator<UpdatedPage> {
    const cursor = { ...start, seen: new Set(start.seen) };
    for (;;) {
      const lower = cursor.at === null ? undefined : `sys_updated_on${cursor.whole ? '>' : '>='}${cursor.at}`;
      const upper = upTo === undefined ? undefined : `sys_updated_on<=${upTo}`;
      const query = joinQuery(read.filter, lower, upper, ORDER_BY_UPDATED);
      const page = await this.page(read.table, { query, fields, limit: this.pageSize, offset: 0 });
      const rows = this.updatedRows(page);

      const fresh = rows.filter(
        ({ id, updated }) =>
          cursor.at === null || updated > cursor.at || (!cursor.whole && !cursor.seen.has(id)),
      );
      const highest = rows.reduce<string | null>(
        (max, { updated }) => (max === null || updated > max ? updated : max),
        cursor.at,
      );
      if (highest !== null && (state.watermark === null || highest > state.watermark))
        state.watermark = highest;
      if (fresh.length > 0)
        yield {
          rows: fresh.map((r) => r.row),
          where: page.where,
          total: page.total,
          watermark: state.watermark,
        };

      const more = moreThanWindow(page, this.pageSize);
      if (highest !== cursor.at) {
        // Restart at the new watermark: positions before it no longer matter.
        cursor.at = highest;
        cursor.whole = false;
        cursor.seen = new Set(rows.filter((r) => r.updated === highest).map((r) => r.id));
        if (more === false) return;
        continue;
      }
      rows.forEach((r) => cursor.seen.add(r.id));
      if (more === false) return;
      // Without a count, an empty page can only be taken for the end, which it may not be.
      const noCount = { where: page.where, reason: NO_COUNT };
      if (more === undefined && rows.length === 0) {
        yield { rows: [], where: page.where, watermark: state.watermark, unproven: noCount };
        return;
      }
      // A full window of rows of second `at` (already read, or hidden): read the rest of that second
      // by sys_id, then the seconds after it.
      if (cursor.at !== null && !cursor.whole) {
        yield* this.secondBySysId(read, fields, cursor.at, maxOf(cursor.seen), state);
        cursor.whole = true;
        continue;
      }
      // Here a window of rows of later seconds came back empty (with rows, `highest` would have moved).
      // A window of hidden rows, and more after it: split what is left of the range in two.
      if (upTo !== undefined && isOneSecond(cursor.at, upTo)) {
        yield* this.secondBySysId(read, fields, upTo, undefined, state);
        return;
      }
      const mid = timeBetween(cursor.at, upTo, this.now());
      if (mid === undefined) {
        yield {
          rows: [],
          where: page.where,
          watermark: state.watermark,
          unproven: {
            where: page.where,
            reason: 'a window of rows hidden by ACLs that no sys_updated_on bound can split',
          },
        };
        return;
      }
      yield* this.timeRange(read, fields, cursor, mid, state);
      cursor.at = mid;
      cursor.whole = true;
      cursor.seen = new Set();
    }
  }

  /** The rows of second `at` after sys_id `after`, as updated pages (each row there is new). */
  private async *secondBySysId(
    read: TableRead,
    fields: readonly string[],
    at: string,
    after: string | undefined,
    state: { watermark: string | null },
  ): AsyncGenerator<UpdatedPage> {
    const second: TableRead = { ...read, filter: joinQuery(read.filter, `sys_updated_on=${at}`) };
    for await (const page of this.sysIdRange(second, fields, after, undefined)) {
      if (page.rows.length === 0 && !page.unproven) continue;
      // Only a second something was read from moves the watermark (a split bound may lie ahead of the instance).
      if (page.rows.length > 0 && (state.watermark === null || at > state.watermark)) state.watermark = at;
      yield {
        rows: page.rows,
        where: page.where,
        total: page.total,
        watermark: state.watermark,
        unproven: page.unproven,
      };
    }
  }

  /**
   * Every row (filtered), by ascending sys_id: keyset pages `sys_id>LAST`, until the count proves
   * the last window held every match. Pages say how many rows row ACLs hid from them.
   */
  async *all(read: TableRead): AsyncGenerator<SnapshotPage> {
    yield* this.sysIdRange(read, withFields(read.fields, ['sys_id']), undefined, undefined);
  }

  /** `(after, upTo]` in sys_id order. */
  private async *sysIdRange(
    read: TableRead,
    fields: readonly string[],
    start: string | undefined,
    upTo: string | undefined,
  ): AsyncGenerator<SnapshotPage> {
    let after = start;
    /** The previous window of this range: its count and rows, to tell how many of its rows were hidden. */
    let previous: { total: number; returned: number } | undefined;
    for (;;) {
      const query = joinQuery(
        read.filter,
        after === undefined ? undefined : `sys_id>${after}`,
        upTo === undefined ? undefined : `sys_id<=${upTo}`,
        'ORDERBYsys_id',
      );
      const page = await this.page(read.table, { query, fields, limit: this.pageSize, offset: 0 });
      const ids = page.rows.map((row) => text(row, 'sys_id'));
      if (ids.some((id) => !id)) throw new MalformedPageError(page.where, 'a row has no sys_id');
      // An instance that ignored `sys_id>` would serve the same page forever.
      if (after !== undefined && ids.some((id) => id.toLowerCase() <= after!.toLowerCase())) {
        throw new MalformedPageError(
          page.where,
          `the answer repeats sys_id ${after}: the sys_id> condition was not applied`,
        );
      }
      // Rows between the previous position and this one that the previous window held but did not return.
      let hidden = 0;
      if (previous && page.total !== undefined)
        hidden += Math.max(0, previous.total - page.total - previous.returned);
      const more = moreThanWindow(page, this.pageSize);

      if (page.rows.length > 0) {
        after = ids[ids.length - 1];
        if (more === false) {
          hidden += Math.max(0, (page.total ?? 0) - page.rows.length);
          yield { ...page, hidden };
          return;
        }
        previous = page.total === undefined ? undefined : { total: page.total, returned: page.rows.length };
        yield { ...page, hidden };
        continue;
      }
      if (more === false) {
        hidden += page.total ?? 0;
        if (hidden > 0) yield { ...page, hidden };
        return;
      }
      if (more === undefined) {
        yield { ...page, hidden, unproven: { where: page.where, reason: NO_COUNT } };
        return;
      }
      // A window of hidden rows, and more after it: read each half of the rest on its own.
      if (hidden > 0) yield { ...page, hidden };
      const mid = sysIdBetween(after, upTo);
      if (mid === undefined) {
        yield {
          ...page,
          hidden: 0,
          unproven: {
            where: page.where,
            reason: `a window of rows hidden by ACLs after sys_id ${after ?? '(start)'} that no sys_id bound can split`,
          },
        };
        return;
      }
      yield* this.sysIdRange(read, fields, after, mid);
      after = mid;
      previous = undefined;
    }
  }

  /**
   * The rows with these sys_ids (those that exist and are readable), `LOOKUP_CHUNK` per request,
   * and why each other one is missing. One request per chunk is complete: at most `chunk` rows
   * match, so a window of that size holds them all, and ACLs can only remove rows from it; the
   * count (before ACLs) tells a hidden row from a deleted one.
   */
  async lookup(table: string, sysIds: Iterable<string>, fields: readonly string[]): Promise<LookupResult> {
    const unique = [...new Set(sysIds)];
    const rows: TableRow[] = [];
    const missing = new Map<string, MissingReason>();
    for (let at = 0; at < unique.length; at += LOOKUP_CHUNK) {
      const chunk = unique.slice(at, at + LOOKUP_CHUNK);
      const page = await this.page(table, {
        query: `sys_idIN${chunk.join(',')}`,
        fields: withFields(fields, ['sys_id']),
        limit: chunk.length,
        offset: 0,
        label: `sys_idIN… (${chunk.length} sys_ids)`,
      });
      rows.push(...page.rows);
      const found = new Set(page.rows.map((row) => text(row, 'sys_id')));
      const absent = chunk.filter((id) => !found.has(id));
      const hidden = page.total === undefined ? undefined : Math.max(0, page.total - page.rows.length);
      const reason: MissingReason =
        hidden === undefined || (hidden > 0 && hidden < absent.length)
          ? 'hidden-or-deleted'
          : hidden === 0
            ? 'deleted'
            : 'hidden';
      for (const id of absent) missing.set(id, reason);
    }
    return { rows, missing };
  }

  /**
   * The first row of a query (`sysparm_limit=1`, default every row, `sys_id` alone): whether the
   * table can be read and queried that way. `connectors check` sends the streams' own conditions
   * and fields, to meet the query ACLs and field ACLs the streams would meet.
   */
  probe(table: string, fields: readonly string[] = ['sys_id'], query = ''): Promise<TablePage> {
    return this.page(table, { query, fields, limit: 1, offset: 0 });
  }

  /** One Table API request; throws `UpstreamError` for HTTP failures, `MalformedPageError` for a non-page. */
  async page(table: string, req: PageRequest): Promise<TablePage> {
    const path = `${TABLE_API}/${table}`;
    const where = this.http.redact(
      `GET ${path} (sysparm_query=${req.label ?? (req.query || '(none)')}, sysparm_offset=${req.offset})`,
    );
    let data: unknown;
    let headers: Record<string, string> = {};
    try {
      const response = await this.http.request<unknown>({
        method: 'GET',
        path,
        headers: { Accept: 'application/json' },
        query: {
          sysparm_query: req.query || undefined,
          sysparm_fields: req.fields.join(','),
          sysparm_limit: req.limit,
          sysparm_offset: req.offset,
          sysparm_display_value: 'false',
          sysparm_exclude_reference_link: 'true',
          sysparm_no_count: 'false',
        },
      });
      data = response.data;
      headers = response.headers ?? {};
    } catch (err) {
      if (isUpstreamError(err) && err.code === 'malformed') {
        throw new MalformedPageError(where, err.detail ?? 'the body is not valid JSON');
      }
      throw err;
    }
    const rows = this.rowsOf(data, where);
    const total = totalCount(headers['x-total-count']);
    if (total === null)
      throw new MalformedPageError(
        where,
        `X-Total-Count ${JSON.stringify(headers['x-total-count'])} is not a count`,
      );
    return total === undefined ? { rows, where } : { rows, where, total };
  }

  private updatedRows(page: TablePage): { row: TableRow; id: string; updated: string }[] {
    return page.rows.map((row, index) => {
      const id = text(row, 'sys_id');
      const updated = text(row, 'sys_updated_on');
      if (!id || !isSnTime(updated)) {
        throw new MalformedPageError(
          page.where,
          this.http.redact(`row ${index} has no sys_id or no YYYY-MM-DD HH:MM:SS sys_updated_on`),
        );
      }
      return { row, id, updated };
    });
  }

  private rowsOf(body: unknown, where: string): TableRow[] {
    if (!isObject(body)) throw new MalformedPageError(where, 'the answer is not a JSON object');
    if (!Array.isArray(body.result)) {
      if (isObject(body.error)) {
        const said = errorText(body.error.message, body.error.detail);
        throw new MalformedPageError(where, this.http.redact(`ServiceNow answered with an error: ${said}`));
      }
      throw new MalformedPageError(where, '`result` is missing or not a list');
    }
    const index = body.result.findIndex((row) => !isObject(row));
    if (index >= 0) throw new MalformedPageError(where, `result[${index}] is not an object`);
    return body.result as TableRow[];
  }
}

const ORDER_BY_UPDATED = 'ORDERBYsys_updated_on^ORDERBYsys_id';

/** Whether rows match past a window at offset 0 (the count exceeds the limit); undefined without a count. */
function moreThanWindow(page: TablePage, limit: number): boolean | undefined {
  return page.total === undefined ? undefined : page.total > limit;
}

/** The header as a count; undefined when absent, null when it is not a non-negative integer. */
function totalCount(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

function maxOf(ids: Set<string>): string | undefined {
  let max: string | undefined;
  for (const id of ids) if (max === undefined || id > max) max = id;
  return max;
}

function joinQuery(...parts: (string | undefined)[]): string {
  return parts.filter((part): part is string => !!part && part.trim().length > 0).join('^');
}

function withFields(fields: readonly string[], required: readonly string[]): string[] {
  return [...fields, ...required.filter((field) => !fields.includes(field))];
}

/** `message: detail`, or the detail alone when it already repeats the message (as ServiceNow's often do). */
function errorText(message: unknown, detail: unknown): string {
  const words = [message, detail].filter((w): w is string => typeof w === 'string' && w.trim().length > 0);
  if (words.length === 2 && words[1].includes(words[0])) return words[1];
  return words.length > 0 ? words.join(': ') : 'no message';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
