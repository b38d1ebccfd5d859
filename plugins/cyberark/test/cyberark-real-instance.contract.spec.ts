/**
 * Contract tests of what real PVWAs do beyond the samples (docs/connectors/cyberark.md "On real
 * instances"): pages shorter than `limit` without a `nextLink`, a list that moves while it is paged,
 * safes the audit user cannot see, and PVWAs older than the Gen2 API.
 */
import nock from 'nock';
import {
  connect,
  expectLogon,
  JSON_HEADERS,
  pageQuery,
  PREDEFINED,
  problems,
  pvwa,
  readEntitlements,
  records,
  SAFES,
} from './context';
import { fixture, fixtureToken, sample } from './samples';

const TOKEN = fixtureToken();
const SERVER = '/PasswordVault/WebServices/PIMServices.svc/Server';
const MEMBERS = (safeUrlId: string) => `${SAFES}/${safeUrlId}/Members`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('cyberark on real instances (contract)', () => {
  it('goes on by offset while fewer than count arrived, when a page shorter than limit brings no nextLink', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, fixture('safes-short-page.json'), JSON_HEADERS)
      .get(SAFES)
      .query(pageQuery(100, 2))
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(MEMBERS('PROD%20Payments'))
      .query(pageQuery(100, 0, PREDEFINED))
      .reply(200, fixture('safe-members-prod-payments.json'), JSON_HEADERS);

    const { connection } = await connect({ safes: ['PROD Payments'], userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(problems(batches)).toEqual([]);
    expect(records(batches).map((r) => r.externalId)).toEqual([
      'svc-deploy:PROD Payments',
      'asmith:PROD Payments',
    ]);
  });

  it('says the safe list is incomplete when it moved while paged (a safe served twice, one never), so nothing is marked deleted', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2-shifted.json'), JSON_HEADERS)
      .get(MEMBERS('DEV-Sandbox'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, fixture('safe-members-dev-sandbox.json'), JSON_HEADERS)
      .get(MEMBERS('PROD-DB'))
      .query(pageQuery(2, 0, PREDEFINED))
      .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes/PROD-DB/Members')
      .query({ offset: '2', limit: '2', filter: PREDEFINED })
      .reply(200, fixture('safe-members-prod-db-page-2.json'), JSON_HEADERS);

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(problems(batches)).toEqual([
      {
        where: 'GET /PasswordVault/API/Safes',
        error:
          '2 safes read, but PVWA counts 3: the list changed while it was paged, and the missing ones are unknown',
        code: 'cyberark-list-incomplete',
      },
    ]);
    expect(records(batches)).toHaveLength(5);
  });

  it('says a safe named in options.safes is invisible to the audit user (it may have members), never that it has none', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, fixture('safes-prod-db.json'), JSON_HEADERS)
      .get(MEMBERS('PROD-DB'))
      .query(pageQuery(100, 0, PREDEFINED))
      .reply(200, fixture('safe-members-prod-db-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes/PROD-DB/Members')
      .query({ offset: '2', limit: '2', filter: PREDEFINED })
      .reply(200, fixture('safe-members-prod-db-page-2.json'), JSON_HEADERS);

    const { connection } = await connect({ safes: ['PROD-DB', 'PCI-Cards', 'PCI-*'], userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(problems(batches)).toEqual([
      {
        where: 'options.safes',
        error: expect.stringMatching(
          /^safe "PCI-Cards" is not visible to the audit user: PVWA lists only the safes a user is a member of/,
        ),
        code: 'cyberark-safe-not-visible',
        fix: expect.stringContaining('View Safe Members'),
        lasting: true,
      },
    ]);
    expect(records(batches).every((r) => r.data.resource === 'PROD-DB')).toBe(true);
  });

  it('says "unsupported version" once for a PVWA 11.1 without the Gen2 Safes API (real Server answer), instead of failing on a 404', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(404, '<html><title>404 - File or directory not found.</title></html>', {
        'Content-Type': 'text/html',
      })
      .get(SERVER)
      .reply(200, sample('pvwa11-server.json'), JSON_HEADERS);

    const { connection } = await connect({ userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'PVWA 11.1.0',
            error: expect.stringMatching(
              /^PVWA 11\.1\.0 is not supported: the Gen2 Safes and Safe Members APIs this connector reads need 12\.1 or later .*nothing was read$/,
            ),
            code: 'cyberark-unsupported-version',
            fix: 'upgrade the PVWA to 12.1 or later',
            lasting: true,
          },
        ],
      },
    ]);
  });

  it('says "unsupported version" once, not once per safe, when a 12.0 PVWA answers no safe’s members', async () => {
    const logon = expectLogon();
    const api = pvwa(TOKEN)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, fixture('safes-page-1.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Safes')
      .query({ offset: '2', limit: '2', useCache: 'False' })
      .reply(200, fixture('safes-page-2.json'), JSON_HEADERS)
      .get(/\/PasswordVault\/API\/Safes\/[^/]+\/Members/)
      .times(3)
      .reply(404, sample('pvwa11-error-404-components-monitoring.json'), JSON_HEADERS)
      .get(SERVER)
      .reply(200, fixture('server-12.0.json'), JSON_HEADERS);

    const { connection } = await connect({ pageSize: 2, userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    expect(records(batches)).toEqual([]);
    expect(problems(batches)).toEqual([
      expect.objectContaining({ where: 'PVWA 12.0.0', code: 'cyberark-unsupported-version', lasting: true }),
    ]);
    // The safes still in flight may have been asked; none after the answer.
    expect(api.pendingMocks().filter((m) => m.includes('Server'))).toEqual([]);
  });
});
