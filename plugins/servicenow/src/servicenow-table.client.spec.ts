import type { HttpClient, HttpRequest } from '@audit-hub/http';
import { ServiceNowTableClient } from './servicenow-table.client';
import { text } from './servicenow-value.parser';
import type { ServiceNowRow } from './servicenow.types';

interface Row {
  sys_id: string;
  sys_updated_on: string;
  /** Hidden by a row ACL: counted by sysparm_limit, left out of the answer (as ServiceNow does). */
  hidden?: boolean;
}

/**
 * An in-memory Table API: `sys_updated_on>=`, `sys_id>` and `ORDERBY` conditions, `sysparm_limit`
 * applied before row ACLs, and a hook run before each answer to change the table mid-read.
 */
function fakeInstance(rows: Row[], beforeAnswer: (request: number) => void = () => {}) {
  const requests: string[] = [];
  const http = {
    redact: (value: string) => value,
    async request(req: HttpRequest) {
      const query = req.query ?? {};
      const conditions = String(query.sysparm_query ?? '')
        .split('^')
        .filter(Boolean);
      requests.push(
        `${conditions.filter((c) => !c.startsWith('ORDERBY')).join('^')} @${query.sysparm_offset}`,
      );
      beforeAnswer(requests.length);
      let matching = rows.slice();
      for (const condition of conditions) {
        const updated = /^sys_updated_on>=(.*)$/.exec(condition);
        if (updated) matching = matching.filter((row) => row.sys_updated_on >= updated[1]);
        const after = /^sys_id>(.*)$/.exec(condition);
        if (after) matching = matching.filter((row) => row.sys_id > after[1]);
      }
      const orderBy = conditions.filter((c) => c.startsWith('ORDERBY')).map((c) => c.slice('ORDERBY'.length));
      matching.sort((a, b) => {
        for (const field of orderBy) {
          const x = (a as unknown as Record<string, string>)[field];
          const y = (b as unknown as Record<string, string>)[field];
          if (x !== y) return x < y ? -1 : 1;
        }
        return 0;
      });
      const offset = Number(query.sysparm_offset);
      const window = matching.slice(offset, offset + Number(query.sysparm_limit));
      const result = window
        .filter((row) => !row.hidden)
        .map(({ sys_id, sys_updated_on }) => ({ sys_id, sys_updated_on }));
      return { status: 200, headers: {}, data: { result }, text: '', url: '' };
    },
  };
  return { http: http as unknown as HttpClient, requests };
}

async function readAll(client: ServiceNowTableClient, from: string | null) {
  const read: ServiceNowRow[] = [];
  const watermarks: string[] = [];
  for await (const page of client.updatedSince({ table: 't', fields: ['sys_id', 'sys_updated_on'], from })) {
    read.push(...page.rows);
    watermarks.push(page.watermark);
  }
  return { ids: read.map((row) => text(row, 'sys_id')), watermarks };
}

const at = (second: number) => `2024-05-01 10:00:${String(second).padStart(2, '0')}`;

describe('ServiceNowTableClient.updatedSince', () => {
  it('misses no row when a row already read is updated during the read', async () => {
    const rows: Row[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ sys_id: `r${n}`, sys_updated_on: at(n) }));
    // After the first page (r1, r2), r1 is updated: plain offset paging would now skip r3.
    const { http } = fakeInstance(rows, (request) => {
      if (request === 2) rows[0].sys_updated_on = at(9);
    });
    const { ids, watermarks } = await readAll(new ServiceNowTableClient(http, 2), at(0));
    expect(ids).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r1']);
    expect(watermarks[watermarks.length - 1]).toBe(at(9));
  });

  it('reads every row of a second that holds more rows than a page, each once', async () => {
    const rows: Row[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ sys_id: id, sys_updated_on: at(5) }));
    const { http, requests } = fakeInstance(rows);
    const { ids } = await readAll(new ServiceNowTableClient(http, 2), null);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(requests).toEqual([
      ' @0',
      `sys_updated_on>=${at(5)} @0`,
      `sys_updated_on>=${at(5)} @2`,
      `sys_updated_on>=${at(5)} @4`,
      `sys_updated_on>=${at(5)} @6`,
    ]);
  });

  it('reads on past pages shortened by row ACLs until a page is empty', async () => {
    const rows: Row[] = [1, 2, 3, 4, 5, 6].map((n) => ({
      sys_id: `r${n}`,
      sys_updated_on: at(n),
      hidden: n === 2 || n === 4,
    }));
    const { http, requests } = fakeInstance(rows);
    const { ids } = await readAll(new ServiceNowTableClient(http, 2), at(0));
    expect(ids).toEqual(['r1', 'r3', 'r5', 'r6']);
    expect(requests[requests.length - 1]).toBe(`sys_updated_on>=${at(6)} @2`);
  });
});

describe('ServiceNowTableClient.all', () => {
  it('pages by sys_id, so rows removed during the read shift nothing', async () => {
    const rows: Row[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ sys_id: id, sys_updated_on: at(1) }));
    const { http, requests } = fakeInstance(rows, (request) => {
      if (request === 2) rows.splice(0, 1);
    });
    const ids: string[] = [];
    for await (const page of new ServiceNowTableClient(http, 2).all({ table: 't', fields: ['sys_id'] })) {
      ids.push(...page.rows.map((row) => text(row, 'sys_id')));
    }
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(requests).toEqual([' @0', 'sys_id>b @0', 'sys_id>d @0', 'sys_id>e @0']);
  });

  it('refuses to loop when the instance ignores the sys_id condition', async () => {
    const rows: Row[] = ['a', 'b'].map((id) => ({ sys_id: id, sys_updated_on: at(1) }));
    const { http } = fakeInstance(rows);
    const ignoring = {
      redact: http.redact,
      request: (req: HttpRequest) =>
        http.request({ ...req, query: { ...req.query, sysparm_query: 'ORDERBYsys_id' } }),
    } as unknown as HttpClient;
    const read = async () => {
      for await (const _page of new ServiceNowTableClient(ignoring, 2).all({
        table: 't',
        fields: ['sys_id'],
      })) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow('the sys_id> condition was not applied');
  });
});
