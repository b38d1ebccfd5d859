import nock from 'nock';
import { tableProbes } from '../src/servicenow-access.check';
import {
  BASE_URL,
  BASIC_HEADER,
  JSON_HEADERS,
  PASSWORD,
  connect,
  counted,
  tablePath,
  tableQuery,
} from './harness';
import { fixture } from './samples';

/** Each table's probe: the stream's own conditions, sorting and fields, one row. */
const PROBES = Object.fromEntries(
  tableProbes({}).map((p) => [p.table, tableQuery({ query: p.query, fields: p.fields, limit: 1 })]),
);
const PROBE = PROBES.change_request;
/** A row with every field the probe asked for. */
function fullRow(table: string): string {
  const probe = tableProbes({}).find((p) => p.table === table)!;
  return JSON.stringify({
    result: [
      Object.fromEntries(
        probe.fields.map((f) => [f, f === 'sys_id' ? '1766f1de47410200e90d87e8dee49001' : 'x']),
      ),
    ],
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('connection.check()', () => {
  it('reads one row of each table the streams need, as the streams query it', async () => {
    let scope = nock(BASE_URL);
    for (const [table, probe] of Object.entries(PROBES)) {
      scope = scope.get(tablePath(table)).query(probe).reply(200, fullRow(table), counted(9));
    }
    const { connection } = await connect();
    const results = await connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true },
      { name: 'read:change_request', ok: true },
      { name: 'read:sysapproval_approver', ok: true },
      { name: 'read:sys_user', ok: true },
      { name: 'read:sys_user_grmember', ok: true },
    ]);
  });

  it('says the credentials were rejected on a 401, without the password', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(PROBE)
      .reply(
        401,
        JSON.stringify({
          error: { message: 'User Not Authenticated', detail: `Basic auth ${BASIC_HEADER} with ${PASSWORD}` },
          status: 'failure',
        }),
        JSON_HEADERS,
      );
    const { connection } = await connect();
    const results = await connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: expect.stringContaining('credentials rejected (401)') },
    ]);
    expect(results[1].detail).toContain('User Not Authenticated');
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
    expect(JSON.stringify(results)).not.toContain(BASIC_HEADER.slice('Basic '.length));
  });

  it('names what each refusal costs and what grants it, and checks the other tables', async () => {
    // Read ACL refused on sys_user_grmember (403), a field ACL hiding sys_user.email, the first
    // approval counted but not returned (a row ACL), and query ACLs refusing the change query.
    const { email: _email, ...userRow } = JSON.parse(fullRow('sys_user')).result[0];
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(PROBES.change_request)
      .reply(
        403,
        JSON.stringify({
          error: {
            message: 'Insufficient rights to query records',
            detail: 'Field(s) present in the query do not have permission to be read',
          },
          status: 'failure',
        }),
        JSON_HEADERS,
      )
      // A plain read of change_request works: the query (or a field it names) is what is refused.
      .get(tablePath('change_request'))
      .query(tableQuery({ fields: ['sys_id'], limit: 1 }))
      .reply(200, fullRow('change_request'), counted(9))
      .get(tablePath('sysapproval_approver'))
      .query(PROBES.sysapproval_approver)
      .reply(200, fixture('empty-page.json'), counted(12))
      .get(tablePath('sys_user'))
      .query(PROBES.sys_user)
      .reply(200, JSON.stringify({ result: [userRow] }), counted(40))
      .get(tablePath('sys_user_grmember'))
      .query(PROBES.sys_user_grmember)
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS)
      .get(tablePath('sys_user_grmember'))
      .query(tableQuery({ fields: ['sys_id'], limit: 1 }))
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS);
    const { connection } = await connect();
    const results = await connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true },
      {
        name: 'read:change_request',
        ok: false,
        detail: expect.stringContaining('may read change_request but not query it the way the stream does'),
        affects: { kinds: ['change'] },
        fix: expect.stringContaining('change_request.sys_updated_on, change_request.sys_id'),
      },
      {
        name: 'read:sysapproval_approver',
        ok: true,
        detail: expect.stringContaining('row-level read ACLs hide some rows of sysapproval_approver'),
      },
      {
        name: 'read:sys_user',
        ok: false,
        severity: 'warn',
        detail: expect.stringContaining('left out of the records: email'),
        affects: { fields: ['identity.email'] },
        fix: 'read ACLs on sys_user.email for the integration user',
      },
      {
        name: 'read:sys_user_grmember',
        ok: false,
        detail: expect.stringContaining('no read ACL on sys_user_grmember'),
        affects: { kinds: ['group-membership'] },
        fix: expect.stringContaining('itil'),
      },
    ]);
  });

  it('fails a snapshot table whose first row a row ACL hides, and any table answered without a count', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(PROBES.change_request)
      .reply(200, fullRow('change_request'), JSON_HEADERS)
      .get(tablePath('sysapproval_approver'))
      .query(PROBES.sysapproval_approver)
      .reply(200, fixture('empty-page.json'), counted(0))
      .get(tablePath('sys_user'))
      .query(PROBES.sys_user)
      .reply(200, fullRow('sys_user'), counted(1))
      .get(tablePath('sys_user_grmember'))
      .query(PROBES.sys_user_grmember)
      .reply(200, fixture('empty-page.json'), counted(3));
    const results = await (await connect()).connection.check();
    scope.done();
    expect(results.slice(2)).toEqual([
      expect.objectContaining({ name: 'read:change_request', ok: false, affects: { kinds: ['change'] } }),
      { name: 'read:sysapproval_approver', ok: true, detail: 'readable, but the table holds no row yet' },
      { name: 'read:sys_user', ok: true },
      expect.objectContaining({
        name: 'read:sys_user_grmember',
        ok: false,
        affects: { kinds: ['group-membership'] },
        detail: expect.stringContaining('the snapshot can never prove it is whole'),
      }),
    ]);
    expect(results[2].detail).toContain('without X-Total-Count');
  });

  it('checks that the fields options.changeQuery names exist', async () => {
    const changeQuery = 'active=true^assignment_grp.name=CAB';
    const [changeProbe] = tableProbes({ changeQuery });
    let scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(tableQuery({ query: changeProbe.query, fields: changeProbe.fields, limit: 1 }))
      .reply(200, fullRow('change_request'), counted(9));
    for (const table of ['sysapproval_approver', 'sys_user', 'sys_user_grmember']) {
      scope = scope.get(tablePath(table)).query(PROBES[table]).reply(200, fullRow(table), counted(9));
    }
    scope = scope
      .get(tablePath('change_request'))
      .query(tableQuery({ fields: ['active', 'assignment_grp.name'], limit: 1 }))
      .reply(200, fixture('change-request-query-fields-misspelt.json'), counted(9));
    const results = await (await connect({ changeQuery })).connection.check();
    scope.done();
    expect(results[results.length - 1]).toEqual({
      name: 'query:change_request',
      ok: false,
      detail: expect.stringContaining('names assignment_grp.name, which change_request does not return'),
      affects: { kinds: ['change'] },
      fix: expect.stringContaining('options.changeQuery'),
    });
  });

  it('reports an unreachable instance', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(PROBE)
      .times(3)
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 203.0.113.7:443'), { code: 'ECONNREFUSED' }),
      );
    const { connection } = await connect();
    const results = await connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: false, detail: expect.stringContaining('ECONNREFUSED') },
      { name: 'credentials', ok: false, detail: 'not checked: the instance did not answer' },
    ]);
  });

  it('checks that the instance reads the sys_updated_on literals it is sent as UTC', async () => {
    // Table API reference, sysparm_display_value: "Date fields: The database value is in UTC
    // format, while the display value is based on the user's time zone."
    const row = { ...JSON.parse(fullRow('change_request')).result[0], sys_updated_on: '2024-05-01 10:00:00' };
    const check = async (matches: number) => {
      let scope = nock(BASE_URL)
        .get(tablePath('change_request'))
        .query(PROBES.change_request)
        .reply(200, JSON.stringify({ result: [row] }), counted(9));
      for (const table of ['sysapproval_approver', 'sys_user', 'sys_user_grmember']) {
        scope = scope.get(tablePath(table)).query(PROBES[table]).reply(200, fullRow(table), counted(9));
      }
      scope = scope
        .get(tablePath('change_request'))
        .query(
          tableQuery({
            query: `sys_id=${row.sys_id}^sys_updated_on=2024-05-01 10:00:00`,
            fields: ['sys_id'],
            limit: 1,
          }),
        )
        .reply(
          200,
          matches ? JSON.stringify({ result: [{ sys_id: row.sys_id }] }) : fixture('empty-page.json'),
          counted(matches),
        );
      const results = await (await connect()).connection.check();
      scope.done();
      return results[results.length - 1];
    };
    expect(await check(1)).toEqual({ name: 'query:sys_updated_on', ok: true });
    expect(await check(0)).toEqual({
      name: 'query:sys_updated_on',
      ok: false,
      detail: expect.stringContaining('reads time literals in another zone than UTC'),
      affects: { kinds: ['change', 'change-approval', 'identity'] },
      fix: expect.stringContaining('Time zone to GMT'),
    });
  });
});
