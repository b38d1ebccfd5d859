import { type HttpClient, type HttpRequest, UpstreamError } from '@audit-hub/http';
import { MalformedPageError } from './servicenow-page.error';
import { ServiceNowTableClient } from './servicenow-table.client';
import type { TableRow } from './servicenow-table.types';
import { text } from './servicenow-value.parser';

interface Row {
  sys_id: string;
  sys_updated_on: string;
  /** Hidden by a row ACL: counted by `X-Total-Count` and by sysparm_limit, left out of the answer (as ServiceNow does). */
  hidden?: boolean;
}

const CONDITION = /^(sys_updated_on|sys_id)(>=|<=|>|=)(.*)$/;

/**
 * An in-memory Table API: `sys_updated_on` and `sys_id` conditions (`>=`, `>`, `<=`, `=`),
 * `ORDERBY`, `sysparm_limit` applied before row ACLs, `X-Total-Count` counting the rows the query
 * matched before ACLs (a `select count(*)`, Table API reference) unless `noCount`, and a hook run
 * before each answer to change the table mid-read.
 */
function fakeInstance(
  rows: Row[],
  beforeAnswer: (request: number) => void = () => {},
  options: { noCount?: boolean } = {},
) {
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
        const match = CONDITION.exec(condition);
        if (!match) continue;
        const [, field, op, value] = match;
        matching = matching.filter((row) => {
          const actual = row[field as 'sys_id' | 'sys_updated_on'];
          return op === '>='
            ? actual >= value
            : op === '<='
              ? actual <= value
              : op === '>'
                ? actual > value
                : actual === value;
        });
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
      const headers: Record<string, string> =
        options.noCount || query.sysparm_no_count === 'true'
          ? {}
          : { 'x-total-count': String(matching.length) };
      return { status: 200, headers, data: { result }, text: '', url: '' };
    },
  };
  return { http: http as unknown as HttpClient, requests };
}

async function readAll(client: ServiceNowTableClient, from: string | null) {
  const read: TableRow[] = [];
  const watermarks: (string | null)[] = [];
  const unproven: string[] = [];
  for await (const page of client.updatedSince({ table: 't', fields: ['sys_id', 'sys_updated_on'], from })) {
    read.push(...page.rows);
    watermarks.push(page.watermark);
    if (page.unproven) unproven.push(page.unproven.reason);
  }
  return { ids: read.map((row) => text(row, 'sys_id')), watermarks, unproven };
}

async function snapshot(client: ServiceNowTableClient) {
  const ids: string[] = [];
  let hidden = 0;
  const unproven: string[] = [];
  for await (const page of client.all({ table: 't', fields: ['sys_id'] })) {
    ids.push(...page.rows.map((row) => text(row, 'sys_id')));
    hidden += page.hidden;
    if (page.unproven) unproven.push(page.unproven.reason);
  }
  return { ids, hidden, unproven };
}

const at = (second: number) => `2024-05-01 10:00:${String(second).padStart(2, '0')}`;
/** A 32-hex sys_id whose order is `n`'s. */
const sysId = (n: number) => n.toString(16).padStart(32, '0');
const NOW = () => new Date('2024-05-01T10:01:00Z');

describe('ServiceNowTableClient.updatedSince', () => {
  it('misses no row when a row already read is updated during the read', async () => {
    const rows: Row[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ sys_id: `r${n}`, sys_updated_on: at(n) }));
    // After the first page (r1, r2), r1 is updated: plain offset paging would now skip r3.
    const { http } = fakeInstance(rows, (request) => {
      if (request === 2) rows[0].sys_updated_on = at(9);
    });
    const { ids, watermarks, unproven } = await readAll(new ServiceNowTableClient(http, 2), at(0));
    expect(ids).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r1']);
    expect(watermarks[watermarks.length - 1]).toBe(at(9));
    expect(unproven).toEqual([]);
  });

  it('reads every row of a second that holds more rows than a page, each once, by sys_id', async () => {
    const rows: Row[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ sys_id: id, sys_updated_on: at(5) }));
    const { http, requests } = fakeInstance(rows);
    const { ids } = await readAll(new ServiceNowTableClient(http, 2), null);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(requests).toEqual([
      ' @0',
      `sys_updated_on>=${at(5)} @0`,
      `sys_updated_on=${at(5)}^sys_id>b @0`,
      `sys_updated_on=${at(5)}^sys_id>d @0`,
      `sys_updated_on>${at(5)} @0`,
    ]);
  });

  it('ends on the count: the last window held every match, so no empty page is asked for', async () => {
    const rows: Row[] = [1, 2, 3].map((n) => ({ sys_id: `r${n}`, sys_updated_on: at(n) }));
    const { http, requests } = fakeInstance(rows);
    const { ids } = await readAll(new ServiceNowTableClient(http, 2), at(0));
    expect(ids).toEqual(['r1', 'r2', 'r3']);
    expect(requests).toEqual([`sys_updated_on>=${at(0)} @0`, `sys_updated_on>=${at(2)} @0`]);
  });

  it('reads past a window of rows hidden by ACLs, where the readable rows after it would stall the stream', async () => {
    // Rows 2–5 are hidden: with a page of 2 the window after r1 comes back empty while r6, r7 follow.
    const rows: Row[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({
      sys_id: sysId(n),
      sys_updated_on: at(n),
      hidden: n >= 2 && n <= 5,
    }));
    const { http } = fakeInstance(rows);
    const { ids, watermarks, unproven } = await readAll(new ServiceNowTableClient(http, 2, NOW), at(0));
    expect(ids).toEqual([1, 6, 7].map(sysId));
    expect(watermarks[watermarks.length - 1]).toBe(at(7));
    expect(unproven).toEqual([]);
  });

  it('reads past hidden rows that fill more than a page within one second', async () => {
    const rows: Row[] = Array.from({ length: 9 }, (_, n) => ({
      sys_id: sysId(n * 1000),
      sys_updated_on: n === 8 ? at(30) : at(20),
      hidden: n >= 1 && n <= 6,
    }));
    const { http } = fakeInstance(rows);
    const { ids, unproven } = await readAll(new ServiceNowTableClient(http, 2, NOW), at(0));
    expect(ids).toEqual([0, 7000, 8000].map(sysId));
    expect(unproven).toEqual([]);
  });

  it('misses no row when rows move while a hidden block is read past', async () => {
    const rows: Row[] = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
      sys_id: sysId(n),
      sys_updated_on: at(n),
      hidden: n >= 2 && n <= 4,
    }));
    // Each answer after the first moves the oldest readable row not moved yet to the present.
    const moved = new Set<string>();
    const { http } = fakeInstance(rows, (request) => {
      if (request < 2) return;
      const row = rows.find((r) => !r.hidden && !moved.has(r.sys_id));
      if (row) {
        moved.add(row.sys_id);
        row.sys_updated_on = at(50 + moved.size);
      }
    });
    const { ids } = await readAll(new ServiceNowTableClient(http, 2, NOW), at(0));
    expect(new Set(ids)).toEqual(new Set(rows.filter((r) => !r.hidden).map((r) => r.sys_id)));
  });

  it('says it could not prove the end when the instance sends no X-Total-Count', async () => {
    const rows: Row[] = [1, 2].map((n) => ({ sys_id: `r${n}`, sys_updated_on: at(n) }));
    const { http } = fakeInstance(rows, undefined, { noCount: true });
    const { ids, unproven } = await readAll(new ServiceNowTableClient(http, 5), at(0));
    expect(ids).toEqual(['r1', 'r2']);
    expect(unproven).toEqual([expect.stringContaining('no X-Total-Count')]);
  });
});

describe('ServiceNowTableClient reads over hidden and moving rows (seeded trials)', () => {
  /** A small deterministic PRNG (mulberry32), so that a failing trial can be replayed. */
  function random(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('trial %i: every readable row is read, by both reads', async (seed) => {
    const next = random(seed);
    const rows: Row[] = Array.from({ length: 60 }, (_, n) => ({
      sys_id: sysId(Math.floor(next() * 2 ** 40) * 64 + n),
      sys_updated_on: at(Math.floor(next() * 20)),
      hidden: next() < 0.5,
    }));
    const readable = new Set(rows.filter((r) => !r.hidden).map((r) => r.sys_id));
    const pageSize = 1 + Math.floor(next() * 4);

    const { ids: all } = await snapshot(new ServiceNowTableClient(fakeInstance(rows).http, pageSize));
    expect(new Set(all)).toEqual(readable);
    expect(all).toHaveLength(readable.size);

    // Rows move to the present (seconds 40+) while the incremental read goes on.
    let clock = 40;
    const { http } = fakeInstance(rows, () => {
      const row = rows[Math.floor(next() * rows.length)];
      if (next() < 0.3 && clock < 59) row.sys_updated_on = at(clock++);
    });
    const { ids, unproven } = await readAll(new ServiceNowTableClient(http, pageSize, NOW), at(0));
    expect(new Set(ids)).toEqual(readable);
    expect(unproven).toEqual([]);
  });
});

describe('ServiceNowTableClient.all', () => {
  it('pages by sys_id, so rows removed during the read shift nothing, and ends on the count', async () => {
    const rows: Row[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ sys_id: id, sys_updated_on: at(1) }));
    const { http, requests } = fakeInstance(rows, (request) => {
      if (request === 2) rows.splice(0, 1);
    });
    const { ids, hidden, unproven } = await snapshot(new ServiceNowTableClient(http, 2));
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([hidden, unproven]).toEqual([0, []]);
    expect(requests).toEqual([' @0', 'sys_id>b @0', 'sys_id>d @0']);
  });

  it('reads past a window of hidden rows to the readable rows after it, and counts the hidden ones', async () => {
    const rows: Row[] = Array.from({ length: 10 }, (_, n) => ({
      sys_id: sysId(n * 7),
      sys_updated_on: at(1),
      hidden: n >= 2 && n <= 6,
    }));
    const { http } = fakeInstance(rows);
    const { ids, hidden, unproven } = await snapshot(new ServiceNowTableClient(http, 2));
    expect(ids).toEqual([0, 1, 7, 8, 9].map((n) => sysId(n * 7)));
    expect(hidden).toBe(5);
    expect(unproven).toEqual([]);
  });

  it('counts rows hidden in a short page and at the end', async () => {
    const rows: Row[] = Array.from({ length: 5 }, (_, n) => ({
      sys_id: sysId(n),
      sys_updated_on: at(1),
      hidden: n === 1 || n === 4,
    }));
    const { http } = fakeInstance(rows);
    const { ids, hidden } = await snapshot(new ServiceNowTableClient(http, 2));
    expect(ids).toEqual([0, 2, 3].map(sysId));
    expect(hidden).toBe(2);
  });

  it('says it could not prove the snapshot whole when the instance sends no X-Total-Count', async () => {
    const rows: Row[] = ['a', 'b'].map((id) => ({ sys_id: id, sys_updated_on: at(1) }));
    const { http } = fakeInstance(rows, undefined, { noCount: true });
    const { ids, unproven } = await snapshot(new ServiceNowTableClient(http, 5));
    expect(ids).toEqual(['a', 'b']);
    expect(unproven).toEqual([expect.stringContaining('no X-Total-Count')]);
  });

  it('refuses to loop when the instance ignores the sys_id condition', async () => {
    const rows: Row[] = ['a', 'b', 'c'].map((id) => ({ sys_id: id, sys_updated_on: at(1) }));
    const { http } = fakeInstance(rows);
    const ignoring = {
      redact: http.redact,
      request: (req: HttpRequest) =>
        http.request({ ...req, query: { ...req.query, sysparm_query: 'ORDERBYsys_id' } }),
    } as unknown as HttpClient;
    await expect(snapshot(new ServiceNowTableClient(ignoring, 2))).rejects.toThrow(
      'the sys_id> condition was not applied',
    );
  });
});

/** An instance that answers every request with `answer`, and the query strings it was sent. */
function answering(answer: () => unknown, headers: Record<string, string> = { 'x-total-count': '0' }) {
  const queries: Record<string, unknown>[] = [];
  const http = {
    redact: (value: string) => value.replace('S3cr3t', '***'),
    async request(req: HttpRequest) {
      queries.push(req.query ?? {});
      return { status: 200, headers, data: answer(), text: '', url: '' };
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

  it('asks for raw values without reference links, with the count, and ANDs a filter in front of the paging', async () => {
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
        sysparm_no_count: 'false',
      },
    ]);
  });

  it('looks rows up by sys_id in chunks of 100, each sys_id once', async () => {
    const { http, queries } = answering(() => ({ result: [{ sys_id: 'u0' }] }), { 'x-total-count': '1' });
    const ids = Array.from({ length: 150 }, (_, n) => `u${n}`);
    const { rows } = await new ServiceNowTableClient(http, 1000).lookup('sys_user', [...ids, 'u0'], ['name']);
    expect(rows).toHaveLength(2);
    expect(queries.map((q) => [q.sysparm_limit, String(q.sysparm_query).split(',').length])).toEqual([
      [100, 100],
      [50, 50],
    ]);
  });

  it('tells a row hidden by an ACL (counted) from a deleted one (not counted)', async () => {
    const lookup = async (total: string | undefined) => {
      const headers: Record<string, string> = total === undefined ? {} : { 'x-total-count': total };
      const { http } = answering(() => ({ result: [{ sys_id: 'a' }] }), headers);
      const { missing } = await new ServiceNowTableClient(http, 1000).lookup('sys_user', ['a', 'b', 'c'], []);
      return Object.fromEntries(missing);
    };
    expect(await lookup('3')).toEqual({ b: 'hidden', c: 'hidden' });
    expect(await lookup('1')).toEqual({ b: 'deleted', c: 'deleted' });
    expect(await lookup('2')).toEqual({ b: 'hidden-or-deleted', c: 'hidden-or-deleted' });
    expect(await lookup(undefined)).toEqual({ b: 'hidden-or-deleted', c: 'hidden-or-deleted' });
  });

  it('refuses an X-Total-Count that is not a count', async () => {
    const { http } = answering(() => ({ result: [] }), { 'x-total-count': 'many' });
    await expect(new ServiceNowTableClient(http, 1).probe('sys_user')).rejects.toThrow(
      'X-Total-Count "many" is not a count',
    );
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
