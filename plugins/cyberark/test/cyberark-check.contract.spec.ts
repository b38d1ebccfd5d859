/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import {
  BASE,
  connect,
  expectLogoff,
  expectLogon,
  JSON_HEADERS,
  LOGON,
  pageQuery,
  PASSWORD,
  PREDEFINED,
  pvwa,
  SAFES,
  USERS,
} from './context';
import { fixture, fixtureToken } from './samples';

const TOKEN = fixtureToken();

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('cyberark connection check (contract)', () => {
  it('logs on, lists one safe, reads one member and the users, then logs off', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query({ limit: '1' })
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(`${SAFES}/PROD-DB/Members`)
      .query({ filter: PREDEFINED, limit: '1' })
      .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
      .get(USERS)
      .query({ search: 'audit' })
      .reply(200, fixture('users-list.json'), JSON_HEADERS);
    const logoff = expectLogoff(TOKEN);

    const { connection } = await connect();
    const results = await connection.check();
    logon.done();
    api.done();
    logoff.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true, detail: 'logged on as audit (Cyberark)' },
      { name: 'read:safes', ok: true, detail: '1 safe visible' },
      { name: 'read:safe-members', ok: true, detail: 'View Safe Members on "PROD-DB"' },
      { name: 'read:users', ok: true, detail: 'Audit users: vault users are readable' },
      { name: 'logoff', ok: true },
    ]);
  });

  it('says the credentials were rejected, stops there, and never prints the password', async () => {
    const logon = nock(BASE).post(LOGON).reply(401, fixture('error-401-logon.json'), JSON_HEADERS);
    const { connection } = await connect();
    const results = await connection.check();
    logon.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      {
        name: 'credentials',
        ok: false,
        detail:
          'cyberark: credentials rejected for Cyberark logon (POST /PasswordVault/API/auth/Cyberark/Logon 401): ITATS004E: Authentication failure for User [audit].',
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
  });

  it('checks the first safe options.safes selects, and names missing View Safe Members and Audit users', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query({ limit: '1' })
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(`${SAFES}/PROD%20Payments/Members`)
      .query({ filter: PREDEFINED, limit: '1' })
      .reply(403, fixture('error-403-safe-members.json'), JSON_HEADERS)
      .get(USERS)
      .query({ search: 'audit' })
      .reply(403, fixture('error-403-safe-members.json'), JSON_HEADERS);
    const logoff = expectLogoff(TOKEN);

    const { connection } = await connect({ safes: ['PROD Payments'], pageSize: 2 });
    const results = await connection.check();
    logon.done();
    api.done();
    logoff.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true, detail: 'logged on as audit (Cyberark)' },
      { name: 'read:safes', ok: true, detail: '1 safe visible' },
      {
        name: 'read:safe-members',
        ok: false,
        detail: expect.stringMatching(/^no View Safe Members permission on safe "PROD Payments": .*403/),
      },
      {
        name: 'read:users',
        ok: false,
        detail: expect.stringMatching(/^the user lacks the Audit users authorization/),
      },
      { name: 'logoff', ok: true },
    ]);
  });

  it('reports an unreachable PVWA, and a base URL that has no log-on API', async () => {
    const down = nock(BASE)
      .post(LOGON)
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 203.0.113.7:443'), { code: 'ECONNREFUSED' }),
      );
    const results = await (await connect()).connection.check();
    down.done();
    expect(results).toEqual([
      { name: 'reachable', ok: false, detail: expect.stringContaining('ECONNREFUSED') },
      { name: 'credentials', ok: false, detail: 'not checked: the PVWA did not answer' },
    ]);

    const wrong = nock(BASE)
      .post(LOGON)
      .reply(404, '<html><title>404 - File or directory not found.</title></html>', {
        'Content-Type': 'text/html',
      });
    const missing = await (await connect()).connection.check();
    wrong.done();
    expect(missing[1]).toEqual({
      name: 'credentials',
      ok: false,
      detail: expect.stringContaining('answered 404: baseUrl must be the PVWA root'),
    });
  });
});
