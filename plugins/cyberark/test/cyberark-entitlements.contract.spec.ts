/** Contract tests of the `entitlements` stream against a nock-served PVWA (Gen2 docs-derived fixtures). */
import nock from 'nock';
import {
  BASE,
  byId,
  connect,
  expectLogoff,
  expectLogon,
  JSON_HEADERS,
  pageQuery,
  PASSWORD,
  PREDEFINED,
  problems,
  pvwa,
  readEntitlements,
  records,
  SAFES,
  USERS,
} from './context';
import { fixture, fixtureToken, sample } from './samples';

const TOKEN = fixtureToken();
const RENEWED = fixtureToken('logon-token-renewed.json');
const MEMBERS = (safeUrlId: string) => `${SAFES}/${safeUrlId}/Members`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** The two PROD-DB member pages: the second one through the page's relative nextLink. */
function prodDbMembers(scope: nock.Scope, filter: string | null = PREDEFINED): nock.Scope {
  return scope
    .get(MEMBERS('PROD-DB'))
    .query(pageQuery(2, 0, filter ?? undefined))
    .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
    .get('/PasswordVault/api/Safes/PROD-DB/Members')
    .query({ offset: '2', limit: '2', ...(filter ? { filter } : {}) })
    .reply(200, fixture('safe-members-prod-db-page-2.json'), JSON_HEADERS);
}

describe('cyberark entitlements stream (contract)', () => {
  it('logs on, pages safes and members through relative nextLinks, maps every (member, safe), and logs off', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      // nextLink "api/Safes?offset=2&limit=2&useCache=False" is relative to /PasswordVault/.
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(USERS)
      .query({ ExtendedDetails: 'true' })
      .reply(200, fixture('users-list.json'), JSON_HEADERS)
      .get(MEMBERS('DEV-Sandbox'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, fixture('safe-members-dev-sandbox.json'), JSON_HEADERS)
      // safeUrlId "PROD%20Payments" is already encoded: it is not encoded twice.
      .get(MEMBERS('PROD%20Payments'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, fixture('safe-members-prod-payments.json'), JSON_HEADERS);
    prodDbMembers(api);
    const logoff = expectLogoff(TOKEN);

    const { connection } = await connect({ pageSize: 2 });
    const batches = await readEntitlements(connection);
    expect(logoff.isDone()).toBe(false);
    await connection.close?.();
    logon.done();
    api.done();
    logoff.done();

    expect(problems(batches)).toEqual([]);
    expect(batches.map((b) => b.records.map((r) => r.externalId))).toEqual([
      ['bwayne:DEV-Sandbox'],
      ['Master:PROD-DB', 'Auditors:PROD-DB', 'jdoe:PROD-DB', 'PROD-DB-Admins:PROD-DB'],
      ['svc-deploy:PROD Payments', 'asmith:PROD Payments'],
    ]);
    const all = byId(batches);
    expect(all.get('Master:PROD-DB')?.data).toEqual({
      holder: 'Master',
      holderAliases: [],
      resource: 'PROD-DB',
      permissions: expect.arrayContaining(['useAccounts', 'manageSafeMembers', 'viewAuditLog']),
      holderType: 'predefined',
    });
    expect(all.get('Master:PROD-DB')?.data.permissions).toHaveLength(20);
    // A predefined group is predefined first (controls.md "service account").
    expect(all.get('Auditors:PROD-DB')?.data).toMatchObject({
      holderType: 'predefined',
      permissions: ['listAccounts', 'viewAuditLog', 'viewSafeMembers'],
    });
    expect(all.get('jdoe:PROD-DB')?.data).toEqual({
      holder: 'jdoe',
      holderAliases: [],
      resource: 'PROD-DB',
      permissions: ['useAccounts', 'retrieveAccounts', 'listAccounts', 'viewSafeMembers'],
      expiresAt: '2026-01-01T00:00:00.000Z',
      holderType: 'user',
    });
    expect(all.get('PROD-DB-Admins:PROD-DB')?.data.holderType).toBe('group');
    expect(all.get('PROD-DB-Admins:PROD-DB')?.data).not.toHaveProperty('expiresAt');
    expect(all.get('asmith:PROD Payments')?.data).toMatchObject({
      resource: 'PROD Payments',
      expiresAt: '2024-07-01T00:00:00.000Z',
      holderType: 'user',
    });
    expect(all.get('bwayne:DEV-Sandbox')?.data.permissions).toEqual([
      'useAccounts',
      'listAccounts',
      'addAccounts',
    ]);

    // The vault users' status rides along in raw data; no identity record is emitted.
    expect(records(batches).every((r) => r.kind === 'entitlement')).toBe(true);
    expect(all.get('jdoe:PROD-DB')?.raw).toMatchObject({
      safe: { safeName: 'PROD-DB', safeUrlId: 'PROD-DB', safeNumber: 41 },
      member: { memberName: 'jdoe', membershipExpirationDate: 1767225600 },
      vaultUser: { id: 217, username: 'jdoe', source: 'LDAP', enableUser: true, suspended: true },
    });
    expect(all.get('asmith:PROD Payments')?.raw).toMatchObject({
      vaultUser: { enableUser: false, suspended: false, expiryDate: 1719792000 },
    });
    expect(all.get('svc-deploy:PROD Payments')?.raw).toMatchObject({ vaultUser: { componentUser: true } });
    expect(all.get('PROD-DB-Admins:PROD-DB')?.raw).not.toHaveProperty('vaultUser');
    expect(JSON.stringify(all.get('jdoe:PROD-DB')?.raw)).not.toContain('personalDetails');
  });

  it('selects safes by case-insensitive glob and sends no member filter when includePredefinedUsers is false', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(MEMBERS('PROD%20Payments'))
      .query(pageQuery(2))
      .reply(200, fixture('safe-members-prod-payments.json'), JSON_HEADERS);
    prodDbMembers(api, null);

    const { connection } = await connect({
      pageSize: 2,
      safes: ['prod-*', 'PROD ?ayments'],
      includePredefinedUsers: false,
      userStatus: false,
    });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();

    expect(problems(batches)).toEqual([]);
    expect(records(batches).map((r) => r.data.resource)).not.toContain('DEV-Sandbox');
    expect(records(batches).some((r) => 'vaultUser' in (r.raw as object))).toBe(false);
  });

  it('logs on again once after a 401 (session expired) and reads on with the new session', async () => {
    const logons = expectLogon()
      .post('/PasswordVault/API/auth/Cyberark/Logon')
      .reply(200, fixture('logon-token-renewed.json'), JSON_HEADERS);
    const expired = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(401, fixture('error-401-session-expired.json'), JSON_HEADERS);
    const api = pvwa(RENEWED)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS);
    prodDbMembers(api);
    const logoff = expectLogoff(RENEWED);

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    await connection.close?.();
    logons.done();
    expired.done();
    api.done();
    logoff.done();
    expect(records(batches)).toHaveLength(4);
    expect(problems(batches)).toEqual([]);
  });

  it('fails the stream when the renewed session is refused too: exactly one re-log-on', async () => {
    const logons = expectLogon()
      .post('/PasswordVault/API/auth/Cyberark/Logon')
      .reply(200, fixture('logon-token-renewed.json'), JSON_HEADERS);
    const first = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(401, fixture('error-401-session-expired.json'), JSON_HEADERS);
    const second = pvwa(RENEWED)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(401, fixture('error-401-session-expired.json'), JSON_HEADERS);
    // A third log-on would be answered here, and the test would see safes instead of the failure.
    const third = expectLogon(fixture('logon-token.json'));

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    await expect(readEntitlements(connection)).rejects.toThrow(
      'cyberark: GET /PasswordVault/API/Safes failed (unauthorized 401): PASWS006E: Your session has expired. Please log on again.',
    );
    logons.done();
    first.done();
    second.done();
    expect(third.isDone()).toBe(false);
  });

  it('fails the stream with "credentials rejected for LDAP logon" and never prints the password', async () => {
    const logon = nock(BASE)
      .post('/PasswordVault/API/auth/LDAP/Logon', {
        username: 'audit',
        password: PASSWORD,
        concurrentSession: true,
      })
      .reply(
        401,
        JSON.stringify({
          ErrorCode: 'ITATS004E',
          ErrorMessage: `Authentication failure for User [audit] with password [${PASSWORD}].`,
        }),
        JSON_HEADERS,
      );
    const { connection, logs } = await connect({ authMethod: 'ldap' });
    const failure = await readEntitlements(connection).then(
      () => new Error('the stream should have failed'),
      (err: Error) => err,
    );
    await connection.close?.();
    logon.done();

    expect(failure.message).toMatch(
      /^cyberark: credentials rejected for LDAP logon \(POST \/PasswordVault\/API\/auth\/LDAP\/Logon 401\): ITATS004E: Authentication failure for User \[audit\] with password \[\[REDACTED\]\]\.$/,
    );
    expect(JSON.stringify({ message: failure.message, failure, logs })).not.toContain(PASSWORD);
  });

  it('waits out a 429 (Retry-After) and reads on', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(MEMBERS('PROD-DB'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(429, '', { 'Retry-After': '3' });
    prodDbMembers(api);

    const { connection, sleeps } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(sleeps).toEqual([3000]);
    expect(records(batches)).toHaveLength(4);
    expect(problems(batches)).toEqual([]);
  });

  it('records a malformed member page and a refused safe as problems naming the safe, and reads the others', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(MEMBERS('DEV-Sandbox'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, '{"value": "not a list", "count": 1}', JSON_HEADERS)
      .get(MEMBERS('PROD%20Payments'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(403, fixture('error-403-safe-members.json'), JSON_HEADERS);
    prodDbMembers(api);

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();

    expect(records(batches).map((r) => r.externalId)).toEqual([
      'Master:PROD-DB',
      'Auditors:PROD-DB',
      'jdoe:PROD-DB',
      'PROD-DB-Admins:PROD-DB',
    ]);
    expect(problems(batches)).toEqual([
      {
        where: 'safe "DEV-Sandbox" members: GET /PasswordVault/API/Safes/DEV-Sandbox/Members page 1',
        error: 'the answer has no "value" list',
      },
      {
        where: 'safe "PROD Payments" members',
        error:
          'cyberark: GET /PasswordVault/API/Safes/PROD%20Payments/Members failed (forbidden 403): SFWS0007E: You are not authorized to view the members of this safe.',
        // Visible, members unreadable: never "no members".
        code: 'cyberark-members-forbidden',
        fix: expect.stringContaining('View Safe Members'),
        lasting: true,
      },
    ]);
  });

  it('surfaces the PVWA error shape {ErrorCode, ErrorMessage} (real sample), redacted, and never prints the token', async () => {
    const echo = JSON.stringify({
      ErrorCode: 'CAWS00001E',
      ErrorMessage: `Unexpected error for session ${TOKEN} (password ${PASSWORD})`,
    });
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(USERS)
      .query({ ExtendedDetails: 'true' })
      .reply(403, echo, JSON_HEADERS)
      .get(MEMBERS('DEV-Sandbox'))
      .query(pageQuery(2, 0, PREDEFINED))
      .times(2)
      .reply(500, echo, JSON_HEADERS)
      .get(MEMBERS('PROD%20Payments'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(404, sample('pvwa11-error-404-components-monitoring.json'), JSON_HEADERS)
      // A 404 where Gen2 lives: the version is asked, and a 14.0 leaves the 404 as it is.
      .get('/PasswordVault/WebServices/PIMServices.svc/Server')
      .reply(200, fixture('server-14.0.json'), JSON_HEADERS);
    prodDbMembers(api);
    const logoff = expectLogoff(TOKEN);

    const { connection, logs } = await connect({ pageSize: 2 });
    const batches = await readEntitlements(connection);
    await connection.close?.();
    logon.done();
    api.done();
    logoff.done();

    expect(problems(batches)).toEqual([
      {
        where: 'safe "DEV-Sandbox" members',
        error:
          'cyberark: GET /PasswordVault/API/Safes/DEV-Sandbox/Members failed (server 500): CAWS00001E: Unexpected error for session [REDACTED] (password [REDACTED])',
      },
      {
        where: 'safe "PROD Payments" members',
        error:
          'cyberark: GET /PasswordVault/API/Safes/PROD%20Payments/Members failed (not_found 404): CAWS00001E: ITATP072E Unsupported client for monitoring.',
      },
    ]);
    // Without Audit users the entitlements are complete, only without user status: a warning.
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'cyberark: vault users not read; entitlements carry no suspended/enableUser',
      fields: { error: expect.stringContaining('forbidden 403') },
    });
    expect(records(batches).some((r) => 'vaultUser' in (r.raw as object))).toBe(false);
    const printed = JSON.stringify({ batches, logs });
    expect(printed).not.toContain(TOKEN);
    expect(printed).not.toContain(PASSWORD);
  });

  it('records a problem, not an empty snapshot, when no safe is visible or none matches options.safes', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, fixture('safes-empty.json'), JSON_HEADERS);
    const { connection } = await connect({ userStatus: false });
    const empty = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(empty).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /PasswordVault/API/Safes',
            error:
              'no safe is visible to the audit user: make it a member of the safes to audit (List accounts, View Safe members) or of the Auditors group',
            code: 'cyberark-no-safe-visible',
            fix: expect.stringContaining('View Safe Members'),
            lasting: true,
          },
        ],
      },
    ]);

    const logon2 = expectLogon();
    const api2 = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS);
    const other = await connect({ userStatus: false, safes: ['PCI-*'] });
    const unmatched = await readEntitlements(other.connection);
    logon2.done();
    api2.done();
    expect(problems(unmatched)).toEqual([
      {
        where: 'options.safes',
        error: 'none of the 1 visible safes matches "PCI-*"',
        code: 'cyberark-no-safe-selected',
        fix: expect.stringContaining('options.safes'),
        lasting: true,
      },
    ]);
  });

  it('records a malformed safe list as a problem and still reads the safes listed before it', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, '<html><title>Maintenance</title></html>', { 'Content-Type': 'text/html' })
      .get(MEMBERS('DEV-Sandbox'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, fixture('safe-members-dev-sandbox.json'), JSON_HEADERS);
    prodDbMembers(api);

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(problems(batches)).toEqual([
      {
        where: 'GET /PasswordVault/API/Safes',
        error: expect.stringMatching(
          /^cyberark: GET \/PasswordVault\/api\/Safes failed \(malformed 200\): the body is not valid JSON/,
        ),
      },
    ]);
    expect(records(batches)).toHaveLength(5);
  });
});
