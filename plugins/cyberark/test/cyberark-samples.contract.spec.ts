/**
 * The real vendor samples (shared/upstream-samples/cyberark) replayed as raw text: the log-on answer
 * of CyberArk's own mock, the 11.x and Gen1 safe lists, the Gen1 safe members, and the relative
 * `nextLink` of an accounts page.
 */
import nock from 'nock';
import { CyberArkClient, resolveNextLink } from '../src/cyberark.client';
import {
  byId,
  connect,
  expectLogoff,
  expectLogon,
  JSON_HEADERS,
  pageQuery,
  PREDEFINED,
  problems,
  pvwa,
  readEntitlements,
  SAFES,
} from './context';
import { fixture, fixtureToken, sample } from './samples';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('cyberark real samples (contract)', () => {
  it('takes the token of the mock log-on answer {"value": …}, reads an 11.x GetSafesResult list by glob and Gen1 members', async () => {
    const mockToken = (JSON.parse(sample('pvwa11-auth-logon.json')) as { value: string }).value;
    const logon = expectLogon(sample('pvwa11-auth-logon.json'));
    const api = pvwa(mockToken)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, sample('pvwa11-safes-list.json'), JSON_HEADERS)
      // 11.x safes carry no SafeUrlId: the name is the URL segment, encoded.
      .get(`${SAFES}/Cisco/Members`)
      .query(pageQuery(100, 0, PREDEFINED))
      .reply(200, sample('xsoar-safe-members-list-v1.json'), JSON_HEADERS)
      .get(`${SAFES}/Cloud%20Console%20Accounts/Members`)
      .query(pageQuery(100, 0, PREDEFINED))
      .reply(200, sample('xsoar-safe-members-list-v1.json'), JSON_HEADERS);
    const logoff = expectLogoff(mockToken);

    const { connection } = await connect({ safes: ['Cisco', 'cloud console*'], userStatus: false });
    const batches = await readEntitlements(connection);
    await connection.close?.();
    logon.done();
    api.done();
    logoff.done();

    expect(problems(batches)).toEqual([]);
    const all = byId(batches);
    expect([...all.keys()]).toEqual([
      'Administrator:Cisco',
      'Master:Cisco',
      'Administrator:Cloud Console Accounts',
      'Master:Cloud Console Accounts',
    ]);
    // PascalCase Gen1 fields read; permissions named the Gen2 way; predefined members marked.
    const admin = all.get('Administrator:Cisco')?.data;
    expect(admin).toMatchObject({ holder: 'Administrator', resource: 'Cisco', holderType: 'predefined' });
    expect(admin).not.toHaveProperty('expiresAt');
    expect(admin?.permissions).toEqual(
      expect.arrayContaining(['accessWithoutConfirmation', 'listAccounts', 'requestsAuthorizationLevel1']),
    );
    expect(admin?.permissions).toHaveLength(21);
    expect(all.get('Master:Cisco')?.data.permissions).not.toContain('requestsAuthorizationLevel1');
  });

  it('does not encode an already encoded SafeUrlId twice (Gen1 list: "Notification%20Engine")', async () => {
    const token = fixtureToken();
    const logon = expectLogon();
    const api = pvwa(token)
      .get(SAFES)
      .query(pageQuery(100))
      .reply(200, sample('xsoar-safes-list-v1.json'), JSON_HEADERS)
      .get(`${SAFES}/Notification%20Engine/Members`)
      .query(pageQuery(100, 0, PREDEFINED))
      .reply(200, sample('xsoar-safe-members-list-v1.json'), JSON_HEADERS);

    const { connection } = await connect({ safes: ['Notification Engine'], userStatus: false });
    const batches = await readEntitlements(connection);
    logon.done();
    api.done();
    expect([...byId(batches).keys()]).toEqual([
      'Administrator:Notification Engine',
      'Master:Notification Engine',
    ]);
  });

  it('follows a relative nextLink exactly as PVWA writes it (xsoar-accounts-list-with-nextLink.json)', async () => {
    const { nextLink } = JSON.parse(sample('xsoar-accounts-list-with-nextLink.json')) as { nextLink: string };
    expect(nextLink).toBe('api/Accounts?offset=2&limit=2');
    expect(resolveNextLink(nextLink)).toBe('/PasswordVault/api/Accounts?offset=2&limit=2');

    const token = fixtureToken();
    const logon = expectLogon();
    const api = pvwa(token)
      .get(SAFES)
      .query(pageQuery(2))
      .reply(200, sample('xsoar-accounts-list-with-nextLink.json'), JSON_HEADERS)
      .get('/PasswordVault/api/Accounts')
      .query({ offset: '2', limit: '2' })
      .reply(200, fixture('safes-empty.json'), JSON_HEADERS);
    const { http } = await connect();
    const client = new CyberArkClient(http, 2);
    const pages = [];
    for await (const page of client.safes()) pages.push(page);
    logon.done();
    api.done();
    expect(pages.map((p) => [p.where, p.items.length, p.count])).toEqual([
      ['GET /PasswordVault/API/Safes page 1', 2, 2],
      ['GET /PasswordVault/API/Safes page 2', 0, 0],
    ]);
  });
});
