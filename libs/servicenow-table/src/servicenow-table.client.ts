/**
 * Table API reads (`GET /api/now/table/<table>`) of the servicenow plugin (every stream) and the
 * cmdb plugin (the inventory snapshot): paging, lookups by sys_id, the one-row probe of
 * `connectors check`, and the shape checks that turn a broken answer into a `MalformedPageError`
 * instead of an empty success.
 *
 * Paging rules (shared/upstream-samples README, ServiceNow):
 * - `sysparm_limit` is applied before ACLs, so a page can hold fewer rows than asked for, or none,
 *   while more rows follow. A short page is therefore never taken for the last one: reading stops
 *   at the first EMPTY page.
 * - Offset paging over rows that change during the read skips rows: when a row already read is
 *   updated it moves to the end of the `sys_updated_on` order, every row behind it moves one place
 *   up, and the next offset jumps over one unread row. Its `sys_updated_on` is older than the
 *   watermark this run ends with, so no later run would read it either. `updatedSince` avoids this
 *   by restarting each page at the highest `sys_updated_on` read so far (`sys_updated_on>=W`,
 *   offset 0) instead of moving the offset over a fixed filter: a row's position then only depends
 *   on rows updated in that same second `W`, which are skipped client-side by sys_id. The inclusive
 *   `>=` re-reads the rows of second `W` (the same second can hold rows not yet read), which is
 *   harmless: the core dedupes by content hash.
 * - Snapshots page by key (`sys_id>LAST^ORDERBYsys_id`), not by offset, so a membership or a CI
 *   added, removed or retired during the read cannot shift a later page and hide another row.
 */
import { type HttpClient, isUpstreamError } from '@audit-hub/http';
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
}

export interface UpdatedPage extends TablePage {
  /** The highest `sys_updated_on` read so far: the cursor to save once these rows are stored. */
  watermark: string;
}

interface PageRequest {
  query: string;
  fields: readonly string[];
  limit: number;
  offset: number;
  /** Replaces the query in `where` (a lookup's long `sys_idIN…` list). */
  label?: string;
}

export class ServiceNowTableClient {
  constructor(
    private readonly http: HttpClient,
    /** `sysparm_limit` of paged reads. */
    readonly pageSize: number,
  ) {}

  /**
   * The rows changed at or after `from`, oldest first, each row once per read; pages without a row
   * not read before are not yielded. Ends at the first empty page.
   */
  async *updatedSince(read: UpdatedSinceRead): AsyncGenerator<UpdatedPage> {
    const fields = withFields(read.fields, ['sys_id', 'sys_updated_on']);
    let from = read.from;
    let offset = 0;
    /** sys_ids already read whose `sys_updated_on` is `from`: the rows `>= from` serves again. */
    let seenAtFrom = new Set<string>();
    for (;;) {
      const query = joinQuery(
        read.filter,
        from === null ? undefined : `sys_updated_on>=${from}`,
        ORDER_BY_UPDATED,
      );
      const page = await this.page(read.table, { query, fields, limit: this.pageSize, offset });
      if (page.rows.length === 0) return;

      const fresh: TableRow[] = [];
      let highest = from;
      page.rows.forEach((row, index) => {
        const sysId = text(row, 'sys_id');
        const updated = text(row, 'sys_updated_on');
        if (!sysId || !isSnTime(updated)) {
          throw new MalformedPageError(
            page.where,
            this.http.redact(`row ${index} has no sys_id or no YYYY-MM-DD HH:MM:SS sys_updated_on`),
          );
        }
        if (from === null || updated > from || (updated === from && !seenAtFrom.has(sysId))) fresh.push(row);
        if (highest === null || updated > highest) highest = updated;
      });

      const atHighest = page.rows
        .filter((row) => text(row, 'sys_updated_on') === highest)
        .map((row) => text(row, 'sys_id'));
      if (highest !== from) {
        // Restart at the new watermark: positions before it no longer matter.
        from = highest;
        offset = 0;
        seenAtFrom = new Set(atHighest);
      } else {
        // Every row of the page sits in second `from`: step over the window positionally.
        offset += this.pageSize;
        atHighest.forEach((id) => seenAtFrom.add(id));
      }
      if (fresh.length > 0) yield { rows: fresh, where: page.where, watermark: from as string };
    }
  }

  /** Every row (filtered), by ascending sys_id: keyset pages `sys_id>LAST`, until an empty page. */
  async *all(read: TableRead): AsyncGenerator<TablePage> {
    const fields = withFields(read.fields, ['sys_id']);
    let after: string | undefined;
    for (;;) {
      const query = joinQuery(
        read.filter,
        after === undefined ? undefined : `sys_id>${after}`,
        'ORDERBYsys_id',
      );
      const page = await this.page(read.table, { query, fields, limit: this.pageSize, offset: 0 });
      if (page.rows.length === 0) return;
      const ids = page.rows.map((row) => text(row, 'sys_id'));
      if (ids.some((id) => !id)) throw new MalformedPageError(page.where, 'a row has no sys_id');
      const last = ids[ids.length - 1];
      // An instance that ignored `sys_id>` would serve the same page forever.
      if (after !== undefined && ids.includes(after)) {
        throw new MalformedPageError(
          page.where,
          `the answer repeats sys_id ${after}: the sys_id> condition was not applied`,
        );
      }
      after = last;
      yield page;
    }
  }

  /**
   * The rows with these sys_ids (those that exist and are readable), `LOOKUP_CHUNK` per request.
   * One request per chunk is complete: at most `chunk` rows match, so a window of that size holds
   * them all, and ACLs can only remove rows from it.
   */
  async lookup(table: string, sysIds: Iterable<string>, fields: readonly string[]): Promise<TableRow[]> {
    const unique = [...new Set(sysIds)];
    const rows: TableRow[] = [];
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
    }
    return rows;
  }

  /**
   * The first row of a table (`sysparm_limit=1`): whether it can be read at all. `fields` is sent
   * as is (default `sys_id` alone); the cmdb check asks for the stream's fields, to see which of them
   * a field ACL hides.
   */
  probe(table: string, fields: readonly string[] = ['sys_id']): Promise<TablePage> {
    return this.page(table, { query: '', fields, limit: 1, offset: 0 });
  }

  /** One Table API request; throws `UpstreamError` for HTTP failures, `MalformedPageError` for a non-page. */
  async page(table: string, req: PageRequest): Promise<TablePage> {
    const path = `${TABLE_API}/${table}`;
    const where = this.http.redact(
      `GET ${path} (sysparm_query=${req.label ?? (req.query || '(none)')}, sysparm_offset=${req.offset})`,
    );
    let data: unknown;
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
          sysparm_no_count: 'true',
        },
      });
      data = response.data;
    } catch (err) {
      if (isUpstreamError(err) && err.code === 'malformed') {
        throw new MalformedPageError(where, err.detail ?? 'the body is not valid JSON');
      }
      throw err;
    }
    return { rows: this.rowsOf(data, where), where };
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
