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
import { fixture, fixtureToken, sample } from './samples';

const TOKEN = fixtureToken();
const SERVER = '/PasswordVault/WebServices/PIMServices.svc/Server';
const ENTITLEMENTS = { kinds: ['entitlement'] };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('cyberark connection check (contract)', () => {
  it('logs on, lists one safe, reads one member and the users, then logs off', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SERVER)
      .reply(200, fixture('server-14.0.json'), JSON_HEADERS)
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
      { name: 'version', ok: true, detail: 'PVWA 14.0.0' },
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
        affects: ENTITLEMENTS,
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
  });

  it('checks the first safe options.safes selects, and names missing View Safe Members and Audit users', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SERVER)
      .reply(200, fixture('server-14.0.json'), JSON_HEADERS)
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
      { name: 'version', ok: true, detail: 'PVWA 14.0.0' },
      { name: 'read:safes', ok: true, detail: '1 safe visible' },
      {
        name: 'read:safe-members',
        ok: false,
        detail: expect.stringMatching(/^no View Safe Members permission on safe "PROD Payments": .*403/),
        affects: ENTITLEMENTS,
        fix: expect.stringContaining('View Safe Members'),
      },
      {
        name: 'read:users',
        ok: false,
        severity: 'warn',
        detail: expect.stringMatching(/^the user lacks the Audit users authorization/),
        fix: expect.stringContaining('Audit users'),
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
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
        affects: ENTITLEMENTS,
      },
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
      affects: ENTITLEMENTS,
    });
  });

  it('says a PVWA older than 12.1 is not supported (the real 11.1 Server answer), and checks no safe', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN).get(SERVER).reply(200, sample('pvwa11-server.json'), JSON_HEADERS);
    const logoff = expectLogoff(TOKEN);

    const { connection } = await connect();
    const results = await connection.check();
    logon.done();
    api.done();
    logoff.done();
    expect(results.slice(2)).toEqual([
      {
        name: 'version',
        ok: false,
        detail: 'PVWA 11.1.0 is not supported: the Gen2 Safes and Safe Members APIs need 12.1 or later',
        affects: ENTITLEMENTS,
        fix: 'upgrade the PVWA to 12.1 or later',
      },
      { name: 'logoff', ok: true },
    ]);
  });

  it('names each safe options.safes lists that is not visible, and warns when the audit user is not in Auditors', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SERVER)
      .reply(200, fixture('server-14.0.json'), JSON_HEADERS)
      .get(SAFES)
      .query({ limit: '1' })
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(`${SAFES}/PROD-DB/Members`)
      .query({ filter: PREDEFINED, limit: '1' })
      .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
      .get(USERS)
      .query({ search: 'audit' })
      .reply(200, fixture('users-search-audit-no-auditors.json'), JSON_HEADERS);
    const logoff = expectLogoff(TOKEN);

    const { connection } = await connect({ safes: ['PROD-DB', 'PCI-Cards'] });
    const results = await connection.check();
    logon.done();
    api.done();
    logoff.done();
    expect(results.filter((r) => !r.ok)).toEqual([
      {
        name: 'safe:PCI-Cards',
        ok: false,
        detail: expect.stringContaining('safe "PCI-Cards" (options.safes) is not visible to the audit user'),
        affects: ENTITLEMENTS,
        fix: expect.stringContaining('View Safe Members'),
      },
      {
        name: 'visibility',
        ok: false,
        severity: 'warn',
        detail: expect.stringContaining(
          'audit is not in Auditors: only the safes it is a member of are visible',
        ),
        affects: ENTITLEMENTS,
        fix: expect.stringContaining('add audit to the Auditors group'),
      },
    ]);

    const logon2 = expectLogon();
    const api2 = pvwa(TOKEN)
      .get(SERVER)
      .reply(200, fixture('server-14.0.json'), JSON_HEADERS)
      .get(SAFES)
      .query({ limit: '1' })
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(`${SAFES}/PROD-DB/Members`)
      .query({ filter: PREDEFINED, limit: '1' })
      .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
      .get(USERS)
      .query({ search: 'audit' })
      .reply(200, fixture('users-search-audit.json'), JSON_HEADERS);
    expectLogoff(TOKEN);
    const inAuditors = await (await connect()).connection.check();
    logon2.done();
    api2.done();
    expect(inAuditors.find((r) => r.name === 'visibility')).toEqual({
      name: 'visibility',
      ok: true,
      detail: 'audit is in Auditors: every safe that keeps Auditors as a member is visible',
    });
  });
});
