/**
 * Table API reads (`GET /api/now/table/<table>`) of the CMDB connector: the keyset-paged snapshot
 * read and the one-row probe of `connectors check`. The same approach as plugins/servicenow
 * (`servicenow-table.client.ts` `all`/`probe`/`page`), duplicated because plugins never import each
 * other; a shared Table API lib could hold both.
 *
 * Paging rules (shared/upstream-samples README, ServiceNow):
 * - `sysparm_limit` is applied before ACLs, so a page can hold fewer rows than asked for, or none,
 *   while more rows follow. A short page is never taken for the last one: reading stops at the first
 *   EMPTY page.
 * - Pages are keyed by sys_id (`ORDERBYsys_id`, then `sys_id>LAST^ORDERBYsys_id`), not by offset: a
 *   CI created or retired while the snapshot is read cannot shift a later page and hide another CI.
 */
import { type HttpClient, isUpstreamError } from '@audit-hub/http';
import { MalformedPageError } from './cmdb-page.error';
import { text } from './cmdb-value.parser';
import type { TableRow } from './cmdb.types';

export const TABLE_API = '/api/now/table';

export interface TablePage {
  rows: TableRow[];
  /** The request, for problems: `GET /api/now/table/<table> (sysparm_query=…, sysparm_offset=0)`. */
  where: string;
}

interface PageRequest {
  query: string;
  fields: readonly string[];
  limit: number;
}

export class CmdbTableClient {
  constructor(
    private readonly http: HttpClient,
    /** `sysparm_limit` of paged reads. */
    readonly pageSize: number,
  ) {}

  /** Every row of a table, by ascending sys_id: keyset pages `sys_id>LAST`, until an empty page. */
  async *all(table: string, fields: readonly string[]): AsyncGenerator<TablePage> {
    const withId = fields.includes('sys_id') ? fields : ['sys_id', ...fields];
    let after: string | undefined;
    for (;;) {
      const query = after === undefined ? 'ORDERBYsys_id' : `sys_id>${after}^ORDERBYsys_id`;
      const page = await this.page(table, { query, fields: withId, limit: this.pageSize });
      if (page.rows.length === 0) return;
      const ids = page.rows.map((row) => text(row, 'sys_id'));
      if (ids.some((id) => !id)) throw new MalformedPageError(page.where, 'a row has no sys_id');
      // An instance that ignored `sys_id>` would serve the same page forever.
      if (after !== undefined && ids.includes(after)) {
        throw new MalformedPageError(
          page.where,
          `the answer repeats sys_id ${after}: the sys_id> condition was not applied`,
        );
      }
      after = ids[ids.length - 1];
      yield page;
    }
  }

  /** The first row of a table (`sysparm_limit=1`) with these fields: whether it can be read at all. */
  probe(table: string, fields: readonly string[]): Promise<TablePage> {
    return this.page(table, { query: '', fields, limit: 1 });
  }

  /** One Table API request; throws `UpstreamError` for HTTP failures, `MalformedPageError` for a non-page. */
  private async page(table: string, req: PageRequest): Promise<TablePage> {
    const path = `${TABLE_API}/${table}`;
    const where = this.http.redact(`GET ${path} (sysparm_query=${req.query || '(none)'}, sysparm_offset=0)`);
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
          sysparm_offset: 0,
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

/** `message: detail`, or the detail alone when it already repeats the message (as ServiceNow's often do). */
function errorText(message: unknown, detail: unknown): string {
  const words = [message, detail].filter((w): w is string => typeof w === 'string' && w.trim().length > 0);
  if (words.length === 2 && words[1].includes(words[0])) return words[1];
  return words.length > 0 ? words.join(': ') : 'no message';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
