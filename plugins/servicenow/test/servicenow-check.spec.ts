import nock from 'nock';
import { CHECKED_TABLES } from '../src/servicenow-access.check';
import { BASE_URL, BASIC_HEADER, JSON_HEADERS, PASSWORD, connect, tablePath, tableQuery } from './harness';
import { fixture } from './samples';

const PROBE = tableQuery({ fields: ['sys_id'], limit: 1 });
const ONE_ROW = JSON.stringify({ result: [{ sys_id: '1766f1de47410200e90d87e8dee49001' }] });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('connection.check()', () => {
  it('reads one row of each table the streams need', async () => {
    let scope = nock(BASE_URL);
    for (const table of CHECKED_TABLES) {
      scope = scope.get(tablePath(table)).query(PROBE).reply(200, ONE_ROW, JSON_HEADERS);
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

  it('names the table whose read ACL is missing on a 403, and checks the others', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(PROBE)
      .reply(200, ONE_ROW, JSON_HEADERS)
      .get(tablePath('sysapproval_approver'))
      .query(PROBE)
      .reply(200, fixture('empty-page.json'), JSON_HEADERS)
      .get(tablePath('sys_user'))
      .query(PROBE)
      .reply(200, ONE_ROW, JSON_HEADERS)
      .get(tablePath('sys_user_grmember'))
      .query(PROBE)
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS);
    const { connection } = await connect();
    const results = await connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true },
      { name: 'read:change_request', ok: true },
      {
        name: 'read:sysapproval_approver',
        ok: true,
        detail: 'readable, but no row is visible (empty, or row ACLs hide every row)',
      },
      { name: 'read:sys_user', ok: true },
      {
        name: 'read:sys_user_grmember',
        ok: false,
        detail: expect.stringContaining('no read ACL on sys_user_grmember'),
      },
    ]);
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
});
