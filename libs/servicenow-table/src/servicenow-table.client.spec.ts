import { type HttpClient, type HttpRequest, UpstreamError } from '@audit-hub/http';
import { MalformedPageError } from './servicenow-page.error';
import { ServiceNowTableClient } from './servicenow-table.client';
import type { TableRow } from './servicenow-table.types';
import { text } from './servicenow-value.parser';

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
  const read: TableRow[] = [];
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

/** An instance that answers every request with `answer`, and the query strings it was sent. */
function answering(answer: () => unknown) {
  const queries: Record<string, unknown>[] = [];
  const http = {
    redact: (value: string) => value.replace('S3cr3t', '***'),
    async request(req: HttpRequest) {
      queries.push(req.query ?? {});
      return { status: 200, headers: {}, data: answer(), text: '', url: '' };
    },
  } as unknown as HttpClient;
  return { http, queries };
}

describe('ServiceNowTableClient requests', () => {
  it('probes with sys_id alone, or with the fields it is given as they are', async () => {
    const { http, queries } = answering(() => ({ result: [] }));
    const client = new ServiceNowTableClient(http, 1000);
    await client.probe('change_request');
    await client.probe('cmdb_ci_appl', ['name', 'support_group.name']);
    expect(queries).toEqual([
      expect.objectContaining({ sysparm_fields: 'sys_id', sysparm_limit: 1, sysparm_offset: 0 }),
      expect.objectContaining({ sysparm_fields: 'name,support_group.name', sysparm_limit: 1 }),
    ]);
    expect(queries[0].sysparm_query).toBeUndefined();
  });

  it('asks for raw values without reference links or counts, and ANDs a filter in front of the paging', async () => {
    const { http, queries } = answering(() => ({ result: [] }));
    for await (const _page of new ServiceNowTableClient(http, 50).all({
      table: 'sys_user_grmember',
      filter: 'group.active=true',
      fields: ['group', 'user'],
    })) {
      // empty: one request
    }
    expect(queries).toEqual([
      {
        sysparm_query: 'group.active=true^ORDERBYsys_id',
        sysparm_fields: 'group,user,sys_id',
        sysparm_limit: 50,
        sysparm_offset: 0,
        sysparm_display_value: 'false',
        sysparm_exclude_reference_link: 'true',
        sysparm_no_count: 'true',
      },
    ]);
  });

  it('looks rows up by sys_id in chunks of 100, each sys_id once', async () => {
    const { http, queries } = answering(() => ({ result: [{ sys_id: 'a' }] }));
    const ids = Array.from({ length: 150 }, (_, n) => `u${n}`);
    const rows = await new ServiceNowTableClient(http, 1000).lookup('sys_user', [...ids, 'u0'], ['name']);
    expect(rows).toHaveLength(2);
    expect(queries.map((q) => [q.sysparm_limit, String(q.sysparm_query).split(',').length])).toEqual([
      [100, 100],
      [50, 50],
    ]);
  });
});

describe('ServiceNowTableClient answers that are not a page', () => {
  const read = (body: unknown) =>
    new ServiceNowTableClient(answering(() => body).http, 1).probe('cmdb_ci_appl');

  it('turns an error envelope on a 2xx into its message, once when the detail repeats it', async () => {
    await expect(
      read({ error: { message: 'Invalid table x', detail: 'Invalid table x' }, status: 'failure' }),
    ).rejects.toThrow(
      new MalformedPageError(
        'GET /api/now/table/cmdb_ci_appl (sysparm_query=(none), sysparm_offset=0)',
        'ServiceNow answered with an error: Invalid table x',
      ),
    );
    await expect(
      read({ error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' } }),
    ).rejects.toThrow(
      'ServiceNow answered with an error: User Not Authenticated: Required to provide Auth information',
    );
  });

  it('refuses a body without a result list, or with a row that is not an object', async () => {
    await expect(read([])).rejects.toThrow('the answer is not a JSON object');
    await expect(read({ records: [] })).rejects.toThrow('`result` is missing or not a list');
    await expect(read({ result: [{ sys_id: 'a' }, 'b'] })).rejects.toThrow('result[1] is not an object');
  });

  it('turns a body that is not JSON (an HTML login or hibernation page) into a MalformedPageError', async () => {
    const html = {
      redact: (value: string) => value,
      request: () =>
        Promise.reject(
          new UpstreamError({
            connector: 'cmdb',
            method: 'GET',
            path: '/api/now/table/cmdb_ci_appl',
            code: 'malformed',
            retryable: false,
            detail: 'text/html body, not JSON',
          }),
        ),
    } as unknown as HttpClient;
    const error = await new ServiceNowTableClient(html, 1).probe('cmdb_ci_appl').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MalformedPageError);
    expect((error as MalformedPageError).reason).toBe('text/html body, not JSON');
  });

  it('passes other HTTP failures on as they are', async () => {
    const denied = new UpstreamError({
      connector: 'servicenow',
      method: 'GET',
      path: '/api/now/table/sys_user',
      status: 403,
      code: 'forbidden',
      retryable: false,
    });
    const http = { redact: (v: string) => v, request: () => Promise.reject(denied) } as unknown as HttpClient;
    await expect(new ServiceNowTableClient(http, 1).probe('sys_user')).rejects.toBe(denied);
  });

  it('redacts what the instance said before it goes into the error', async () => {
    await expect(read({ error: { message: 'bad password S3cr3t' } })).rejects.toThrow(
      'ServiceNow answered with an error: bad password ***',
    );
  });
});
