import { startSandbox, type Sandbox } from '../sandbox.server';
import { generateEstate } from '../estate/estate.generator';
import { LATE_CHANGE, RESOLVE_AFTER } from '../estate/planted.scenarios';
import {
  SERVICENOW_LOSSY_BEHAVIOURS,
  SERVICENOW_TRANSPARENT_BEHAVIOURS,
  createServicenowFake,
  type ServicenowBehaviours,
} from './servicenow.fake';
import { RESTRICTED_BLOCK } from './servicenow.tables';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const SN_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

describe('ServiceNow fake over HTTP', () => {
  let clock = NOW;
  let sandbox: Sandbox;
  let auth: Record<string, string>;

  const table = async (name: string, params: Record<string, string> = {}, headers = auth): Promise<Reply> => {
    const query = new URLSearchParams(params).toString();
    const res = await fetch(`${sandbox.url}/servicenow/api/now/table/${name}${query ? `?${query}` : ''}`, {
      headers,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => clock });
    const { servicenowUser, servicenowPassword } = sandbox.credentials;
    auth = {
      Authorization: `Basic ${Buffer.from(`${servicenowUser}:${servicenowPassword}`).toString('base64')}`,
    };
  });
  afterAll(() => sandbox.close());
  afterEach(() => {
    clock = NOW;
  });

  it("answers 401 with ServiceNow's failure body without auth or with a wrong password", async () => {
    const wrong = {
      Authorization: `Basic ${Buffer.from(`${sandbox.credentials.servicenowUser}:nope`).toString('base64')}`,
    };
    for (const headers of [{}, wrong]) {
      const r = await table('change_request', {}, headers);
      expect(r.status).toBe(401);
      expect(r.text).toBe(
        '{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}',
      );
    }
  });

  it('returns every value as a string, times as YYYY-MM-DD HH:MM:SS, references as {link, value}', async () => {
    const r = await table('change_request', { sysparm_limit: '20', sysparm_query: 'ORDERBYnumber' });
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-total-count'))).toBeGreaterThan(20);
    for (const row of r.body.result) {
      for (const [field, value] of Object.entries(row)) {
        if (typeof value === 'string') continue;
        expect(Object.keys(value as object).sort()).toEqual(['link', 'value']);
        expect((value as any).link).toBe(
          `${sandbox.url}/servicenow/api/now/table/${(value as any).link.split('/table/')[1]}`,
        );
        expect(field).not.toBe('number');
      }
      expect(row.sys_updated_on).toMatch(SN_TIME);
      expect(row.state).toMatch(/^-?\d+$/);
    }
    const linked = r.body.result.find((row: any) => typeof row.requested_by === 'object');
    expect(linked.requested_by.link).toContain('/api/now/table/sys_user/');
  });

  it('writes references as bare sys_ids with sysparm_exclude_reference_link=true, empty ones as ""', async () => {
    const fields = 'number,requested_by,cmdb_ci,closed_by,state';
    const withLinks = await table('change_request', {
      sysparm_fields: fields,
      sysparm_query: 'cmdb_ciISEMPTY',
    });
    const plain = await table('change_request', {
      sysparm_fields: fields,
      sysparm_query: 'cmdb_ciISEMPTY',
      sysparm_exclude_reference_link: 'true',
      sysparm_display_value: 'false',
    });
    expect(plain.body.result.length).toBeGreaterThan(0);
    expect(plain.body.result).toHaveLength(withLinks.body.result.length);
    plain.body.result.forEach((row: any, i: number) => {
      expect(Object.keys(row).sort()).toEqual(fields.split(',').sort());
      expect(row.cmdb_ci).toBe('');
      expect(row.requested_by).toMatch(/^[0-9a-f]{32}$/);
      expect(withLinks.body.result[i].requested_by).toEqual({
        link: `${sandbox.url}/servicenow/api/now/table/sys_user/${row.requested_by}`,
        value: row.requested_by,
      });
      expect(withLinks.body.result[i].cmdb_ci).toBe('');
    });
  });

  it('filters and orders by an encoded query, including IN, ^OR and dot-walked fields', async () => {
    const since = '2025-03-01 00:00:00';
    const r = await table('change_request', {
      sysparm_query: `sys_updated_on>=${since}^ORDERBYsys_updated_on^ORDERBYsys_id`,
      sysparm_fields: 'number,sys_updated_on,sys_id',
    });
    const updated = r.body.result.map((x: any) => x.sys_updated_on);
    expect(updated.length).toBeGreaterThan(5);
    expect(updated.every((u: string) => u >= since)).toBe(true);
    expect([...updated].sort()).toEqual(updated);

    const two = r.body.result.slice(0, 2).map((x: any) => x.number);
    const byIn = await table('change_request', {
      sysparm_query: `numberIN${two.join(',')}`,
      sysparm_fields: 'number',
    });
    expect(byIn.body.result.map((x: any) => x.number).sort()).toEqual([...two].sort());

    const closedOrCanceled = await table('change_request', {
      sysparm_query: 'state=4^ORstate=-4',
      sysparm_fields: 'state',
    });
    expect(new Set(closedOrCanceled.body.result.map((x: any) => x.state))).toEqual(new Set(['4', '-4']));

    const states = await table('change_request', {
      sysparm_query: 'ORDERBYDESCstate',
      sysparm_fields: 'state',
    });
    const numeric = states.body.result.map((x: any) => Number(x.state));
    expect([...numeric].sort((a, b) => b - a)).toEqual(numeric);

    const rm = sandbox.estate.changes.find((c) => !c.confidential)!.requestedBy;
    const byRequester = await table('change_request', {
      sysparm_query: `requested_by.user_name=${rm}`,
      sysparm_fields: 'number,requested_by.user_name',
    });
    expect(byRequester.body.result.length).toBeGreaterThan(0);
    expect(byRequester.body.result.every((x: any) => x['requested_by.user_name'] === rm)).toBe(true);
  });

  it('dot-walks sysapproval.number and approver.user_name on approval records', async () => {
    const number = sandbox.estate.changeApprovals[0].change;
    const r = await table('sysapproval_approver', {
      sysparm_query: `sysapproval.number=${number}^ORDERBYsys_created_on`,
      sysparm_fields: 'sysapproval.number,approver.user_name,state,sys_updated_on',
      sysparm_exclude_reference_link: 'true',
    });
    const expected = sandbox.estate.changeApprovals.filter((a) => a.change === number).map((a) => a.approver);
    expect(r.body.result.map((x: any) => x['approver.user_name']).sort()).toEqual([...expected].sort());
    expect(
      r.body.result.every((x: any) => x['sysapproval.number'] === number && x.state === 'approved'),
    ).toBe(true);
  });

  it('serves users, groups and memberships with group.name / user.user_name dot-walks', async () => {
    const users = await table('sys_user', {
      sysparm_query: 'active=false',
      sysparm_fields: 'user_name,active',
    });
    expect(users.body.result).toHaveLength(2);
    const members = await table('sys_user_grmember', {
      sysparm_query: 'group.name=Developers',
      sysparm_fields: 'group.name,user.user_name',
    });
    const developers = sandbox.estate.groups.find((g) => g.name === 'Developers')!.members;
    expect(members.body.result.map((m: any) => m['user.user_name']).sort()).toEqual([...developers].sort());
    const groups = await table('sys_user_group', { sysparm_fields: 'name' });
    expect(groups.body.result.map((g: any) => g.name)).toEqual(
      expect.arrayContaining(['CAB Approvers', 'SRE']),
    );
    const apps = await table('cmdb_ci_appl', {
      sysparm_query: 'name=payments-api',
      sysparm_fields: 'name,version,used_for',
    });
    expect(apps.body.result).toEqual([
      { name: 'payments-api', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), used_for: 'Production' },
    ]);
  });

  it('returns a short page while more rows follow: the limit applies before the ACL', async () => {
    const params = {
      sysparm_query: 'ORDERBYsys_updated_on^ORDERBYsys_id',
      sysparm_limit: '5',
      sysparm_fields: 'number',
    };
    const first = await table('change_request', { ...params, sysparm_offset: '0' });
    const total = Number(first.headers.get('x-total-count'));
    expect(first.body.result).toHaveLength(4);
    expect(total).toBeGreaterThan(5);
    const next = /<([^>]+)>;rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(new URL(next!).searchParams.get('sysparm_offset')).toBe('5');
    const second = await table('change_request', { ...params, sysparm_offset: '5' });
    expect(second.body.result).toHaveLength(5);

    const seen: string[] = [];
    for (let offset = 0; offset < total; offset += 5) {
      const page = await table('change_request', { ...params, sysparm_offset: String(offset) });
      seen.push(...page.body.result.map((x: any) => x.number));
    }
    expect(seen).toHaveLength(total - 1);
    const last = await table('change_request', { ...params, sysparm_offset: String(total) });
    expect(last.body.result).toEqual([]);
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('hides the restricted change from a single-record read too', async () => {
    const all = await table('change_request', {
      sysparm_fields: 'sys_id',
      sysparm_exclude_reference_link: 'true',
    });
    const visible = all.body.result[0].sys_id;
    const ok = await table(`change_request/${visible}`);
    expect(ok.body.result.sys_id).toBe(visible);
    const restricted = sandbox.estate.changes.find((c) => c.confidential)!;
    const listed = all.body.result.map((x: any) => x.sys_id);
    const missing = await table('change_request', { sysparm_query: `number=${restricted.number}` });
    expect(missing.body.result).toEqual([]);
    expect(Number(missing.headers.get('x-total-count'))).toBe(1);
    expect(listed).toHaveLength(Number(all.headers.get('x-total-count')) - 1);
  });

  it('renders labels with sysparm_display_value=true', async () => {
    const r = await table('change_request', {
      sysparm_query: 'state=-4',
      sysparm_fields: 'state,type,requested_by',
      sysparm_display_value: 'true',
      sysparm_exclude_reference_link: 'true',
    });
    expect(r.body.result[0].state).toBe('Assess');
    expect(r.body.result[0].type).toBe('Normal');
    expect(sandbox.estate.people.map((p) => p.name)).toContain(r.body.result[0].requested_by);
  });

  it('answers an unknown table with 400 and the failure envelope', async () => {
    const r = await table('no_such_table');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: { message: 'Invalid table no_such_table', detail: null },
      status: 'failure',
    });
  });

  it('shows records only once the clock has reached them', async () => {
    const query = { sysparm_query: `number=${LATE_CHANGE}`, sysparm_fields: 'number,type,sys_created_on' };
    expect((await table('change_request', query)).body.result).toEqual([]);
    clock = new Date(NOW.getTime() + RESOLVE_AFTER);
    const later = await table('change_request', query);
    expect(later.body.result).toEqual([
      { number: LATE_CHANGE, type: 'standard', sys_created_on: expect.stringMatching(SN_TIME) },
    ]);
  });
});

describe('ServiceNow fake real-instance behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const AUTH = { authorization: `Basic ${Buffer.from('audit:pw').toString('base64')}` };

  /** A fake with the given switches, asked as a client asks; `clock` is its present. */
  function fake(behaviours: ServicenowBehaviours = {}, clock: () => Date = () => NOW) {
    const handler = createServicenowFake({
      estate: () => estate,
      user: 'audit',
      password: 'pw',
      now: clock,
      behaviours,
    });
    return (table: string, query: Record<string, string> = {}) => {
      const res = handler({
        method: 'GET',
        path: `/api/now/table/${table}`,
        query: new URLSearchParams({ sysparm_exclude_reference_link: 'true', ...query }),
        headers: AUTH,
        baseUrl: 'http://127.0.0.1/servicenow',
      });
      const body = JSON.parse(res.body);
      return {
        status: res.status,
        total: Number(res.headers['x-total-count']),
        body,
        rows: (body.result ?? []) as any[],
      };
    };
  }
  const ordered = {
    sysparm_query: 'ORDERBYsys_updated_on^ORDERBYsys_id',
    sysparm_fields: 'sys_id,number,sys_updated_on',
  };

  it('classifies every switch as transparent or lossy, once', () => {
    const all: (keyof ServicenowBehaviours)[] = [
      'aclHiddenRows',
      'rowsMoveWhilePaging',
      'invalidQueryReturnsNoRows',
      'aclHiddenSnapshotRows',
      'membershipsForbidden',
    ];
    expect([...SERVICENOW_TRANSPARENT_BEHAVIOURS, ...SERVICENOW_LOSSY_BEHAVIOURS].sort()).toEqual(
      [...all].sort(),
    );
  });

  it('aclHiddenRows: the first window comes back empty, counted, while readable rows follow', () => {
    const plain = fake()('change_request', { ...ordered, sysparm_limit: '1000' });
    const hidden = fake({ aclHiddenRows: true });
    const first = hidden('change_request', { ...ordered, sysparm_limit: '1000' });
    expect(plain.rows.length).toBeGreaterThan(0);
    expect(first.rows).toEqual([]);
    expect(first.total).toBe(plain.total + RESTRICTED_BLOCK);
    const after = hidden('change_request', {
      ...ordered,
      sysparm_limit: '1000',
      sysparm_offset: String(RESTRICTED_BLOCK),
    });
    expect(after.rows.length).toBeGreaterThan(0);
    // Every readable row is still there, and only those: the block is not part of the estate.
    const everything = hidden('change_request', { ...ordered, sysparm_limit: '100000' });
    expect(everything.rows).toEqual(fake()('change_request', { ...ordered, sysparm_limit: '100000' }).rows);
    for (const table of ['sysapproval_approver', 'sys_user']) {
      expect(hidden(table, { sysparm_limit: '1' }).total).toBe(
        fake()(table, { sysparm_limit: '1' }).total + RESTRICTED_BLOCK,
      );
    }
    expect(hidden('cmdb_ci_appl', { sysparm_limit: '1' }).total).toBe(
      fake()('cmdb_ci_appl', { sysparm_limit: '1' }).total,
    );
  });

  it('aclHiddenSnapshotRows: memberships and CIs are counted but not returned', () => {
    for (const table of ['sys_user_grmember', 'cmdb_ci_appl']) {
      const q = { sysparm_query: 'ORDERBYsys_id', sysparm_fields: 'sys_id', sysparm_limit: '100000' };
      const plain = fake()(table, q);
      const hidden = fake({ aclHiddenSnapshotRows: true })(table, q);
      expect(hidden.total).toBe(plain.total + RESTRICTED_BLOCK);
      expect(hidden.rows).toEqual(plain.rows);
    }
  });

  it('rowsMoveWhilePaging: offset paging over sys_updated_on skips a row, as on a real instance', () => {
    const read = (get: ReturnType<typeof fake>) => {
      const numbers: string[] = [];
      for (let offset = 0; ; offset += 5) {
        const page = get('change_request', {
          ...ordered,
          sysparm_limit: '5',
          sysparm_offset: String(offset),
        });
        numbers.push(...page.rows.map((r) => r.number));
        if (offset + 5 >= page.total) return numbers;
      }
    };
    const still = read(fake());
    const moving = read(fake({ rowsMoveWhilePaging: true }));
    expect(new Set(moving).size).toBeLessThan(new Set(still).size);
    // A moved row is at the present, with its sys_mod_count raised.
    const get = fake({ rowsMoveWhilePaging: true });
    const [first] = get('change_request', { ...ordered, sysparm_limit: '5' }).rows;
    const again = get('change_request', {
      sysparm_query: `number=${first.number}`,
      sysparm_fields: 'sys_updated_on',
    });
    expect(again.rows[0].sys_updated_on).toBe('2025-03-14 12:00:00');
  });

  it('invalidQueryReturnsNoRows: a term on an unknown field matches nothing instead of everything', () => {
    const q = { sysparm_query: 'typ=normal', sysparm_fields: 'number', sysparm_limit: '100000' };
    const all = fake()('change_request', { sysparm_fields: 'number', sysparm_limit: '100000' });
    expect(fake()('change_request', q).rows).toHaveLength(all.rows.length);
    const none = fake({ invalidQueryReturnsNoRows: true })('change_request', q);
    expect([none.rows, none.total]).toEqual([[], 0]);
    expect(
      fake({ invalidQueryReturnsNoRows: true })('change_request', { ...q, sysparm_query: 'type=normal' }).rows
        .length,
    ).toBeGreaterThan(0);
  });

  it('membershipsForbidden: sys_user_grmember answers the 403 failure body, other tables read', () => {
    const get = fake({ membershipsForbidden: true });
    const refused = get('sys_user_grmember');
    expect([refused.status, refused.body]).toEqual([
      403,
      {
        error: {
          message: 'Insufficient rights to query records',
          detail: 'Field(s) present in the query do not have permission to be read',
        },
        status: 'failure',
      },
    ]);
    expect(get('sys_user', { sysparm_limit: '1' }).status).toBe(200);
  });
});
