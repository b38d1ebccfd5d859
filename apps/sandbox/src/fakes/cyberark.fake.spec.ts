import type { NormalizedRecord } from '@audit-hub/domain';
import { plugin as cyberarkPlugin, type CyberArkOptions } from '@audit-hub/plugin-cyberark';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { generateEstate } from '../estate/estate.generator';
import { startSandbox, type Sandbox } from '../sandbox.server';
import {
  createCyberarkFake,
  CYBERARK_LOSSY_BEHAVIOURS,
  CYBERARK_SERVER_PAGE,
  CYBERARK_SESSION_REQUESTS,
  CYBERARK_TRANSPARENT_BEHAVIOURS,
  hiddenSafe,
  PVWA_VERSION,
  type CyberarkBehaviours,
} from './cyberark.fake';
import { serveFake } from './fake-server.testing';

const NOW = new Date('2025-03-14T12:00:00.000Z');

describe('CyberArk fake over HTTP', () => {
  let sandbox: Sandbox;
  const pvwa = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}/cyberark/PasswordVault/${path}`, init);
  const read = async (path: string, headers: Record<string, string>): Promise<any> =>
    (await pvwa(path, { headers })).json();
  const logon = async (password = sandbox.credentials.cyberarkPassword) => {
    const res = await pvwa('API/auth/Cyberark/Logon', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: sandbox.credentials.cyberarkUser, password, concurrentSession: true }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
  });
  afterAll(() => sandbox.close());

  it('logs on with a bare JSON string token, used as Authorization without Bearer, until log-off', async () => {
    expect(await logon('wrong')).toEqual({
      status: 401,
      body: { ErrorCode: 'ITATS004E', ErrorMessage: 'Authentication failure for User [svc-audit-hub].' },
    });
    const { status, body: token } = await logon();
    expect(status).toBe(200);
    expect(typeof token).toBe('string');
    expect((await pvwa('API/Safes', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await pvwa('API/Safes', { headers: { Authorization: token } })).status).toBe(200);
    expect(
      (await pvwa('API/Auth/Logoff', { method: 'POST', headers: { Authorization: token } })).status,
    ).toBe(200);
    const expired = await pvwa('API/Safes', { headers: { Authorization: token } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ ErrorCode: 'PASWS006E' });
  });

  it('pages safes and members with a relative nextLink; predefined members only when asked', async () => {
    const { body: token } = await logon();
    const headers: Record<string, string> = { Authorization: token };
    const page = await read('API/Safes?limit=3&offset=0', headers);
    expect(page.value).toHaveLength(3);
    expect(page.count).toBe(sandbox.estate.access.safes.length);
    expect(page.nextLink).toBe('api/Safes?offset=3&limit=3&useCache=False');
    // Paths are case-insensitive: the link's `api` works as well as `API`.
    expect((await pvwa(page.nextLink, { headers })).status).toBe(200);
    const shared = (await read('API/Safes?limit=100', headers)).value.find(
      (s: any) => s.safeName === 'Shared Services',
    );
    expect(shared.safeUrlId).toBe('Shared%20Services');
    const filter = encodeURIComponent('includePredefinedUsers eq true');
    const withPredefined = await read(`API/Safes/PROD-Payments/Members?filter=${filter}&limit=100`, headers);
    const without = await read('API/Safes/PROD-Payments/Members?limit=100', headers);
    expect(withPredefined.value.filter((m: any) => m.isPredefinedUser).map((m: any) => m.memberName)).toEqual(
      expect.arrayContaining(['Master', 'Batch', 'Auditors']),
    );
    expect(without.value.some((m: any) => m.isPredefinedUser)).toBe(false);
    const planted = sandbox.estate.planted.find((c) => c.id === 'RM-ACC-001/developer-in-production-safe')!
      .subject as {
      holder: string;
    };
    const member = withPredefined.value.find((m: any) => m.memberName === planted.holder);
    expect(member.membershipExpirationDate).toEqual(expect.any(Number));
    expect(member.membershipExpirationDate).toBeLessThan(1e11);
    expect(Object.keys(member.permissions)).toHaveLength(22);
    const small = await read(`API/Safes/PROD-Payments/Members?filter=${filter}&limit=2&offset=0`, headers);
    expect(small.nextLink).toBe('api/Safes/PROD-Payments/Members?offset=2&limit=2&useCache=False');
    const unknown = await pvwa('API/Safes/NOPE/Members', { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ ErrorCode: 'SFWS0002E' });
  });

  it('lists vault users as {Users, Total}, searched by name', async () => {
    const { body: token } = await logon();
    const headers: Record<string, string> = { Authorization: token };
    const users = await read('API/Users?ExtendedDetails=true', headers);
    expect(users.Total).toBe(users.Users.length);
    expect(users.Users[0]).toMatchObject({ expiryDate: -62135578800, userType: 'EPVUser', enableUser: true });
    const one = await read('API/Users?search=svc-audit', headers);
    expect(one.Users.map((u: any) => u.username)).toEqual(['svc-audit-hub']);
  });
});

describe('CyberArk fake behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const USER = 'svc-audit-hub';
  const PASSWORD = 'Behaviour-Test-Password!';
  const fake = (behaviours: CyberarkBehaviours) =>
    createCyberarkFake({ estate: () => estate, user: USER, password: PASSWORD, now: () => NOW, behaviours });
  const call = (
    handler: ReturnType<typeof fake>,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ) => {
    const url = new URL(path, 'http://pvwa.invalid');
    const response = handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: token ? { authorization: token } : {},
      baseUrl: 'http://pvwa.invalid',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: JSON.parse(response.body) };
  };
  const logon = (handler: ReturnType<typeof fake>): string =>
    call(handler, 'POST', '/PasswordVault/API/auth/Cyberark/Logon', undefined, {
      username: USER,
      password: PASSWORD,
    }).body;

  it('answers the version on the Server web service, with a session', () => {
    const pvwa = fake({});
    const token = logon(pvwa);
    expect(call(pvwa, 'GET', '/PasswordVault/WebServices/PIMServices.svc/Server', token).body).toMatchObject({
      ExternalVersion: PVWA_VERSION,
    });
    expect(call(pvwa, 'GET', '/PasswordVault/WebServices/PIMServices.svc/Server').status).toBe(401);
  });

  it('cyberarkNextLinkPaging: pages of at most the server’s size whatever limit asks, each with the nextLink to follow', () => {
    const pvwa = fake({ cyberarkNextLinkPaging: true });
    const token = logon(pvwa);
    const first = call(pvwa, 'GET', '/PasswordVault/API/Safes?limit=100&offset=0', token).body;
    expect(first.value).toHaveLength(CYBERARK_SERVER_PAGE);
    expect(first.count).toBe(estate.access.safes.length);
    expect(first.nextLink).toBe(
      `api/Safes?offset=${CYBERARK_SERVER_PAGE}&limit=${CYBERARK_SERVER_PAGE}&useCache=False`,
    );
    const names = new Set<string>(first.value.map((s: any) => s.safeName));
    for (let link: string | undefined = first.nextLink; link;) {
      const page = call(pvwa, 'GET', `/PasswordVault/${link}`, token).body;
      page.value.forEach((s: any) => names.add(s.safeName));
      link = page.nextLink;
    }
    expect(names.size).toBe(estate.access.safes.length);
    expect(CYBERARK_TRANSPARENT_BEHAVIOURS).toEqual(['cyberarkNextLinkPaging', 'cyberarkSessionExpires']);
  });

  it('cyberarkHiddenSafes: one production safe is neither listed nor readable, and the audit user is not in Auditors', () => {
    const hidden = hiddenSafe(estate)!;
    expect(hidden).toMatch(/^PROD-/);
    const plain = fake({});
    const plainToken = logon(plain);
    const pvwa = fake({ cyberarkHiddenSafes: true });
    const token = logon(pvwa);
    const listed = call(pvwa, 'GET', '/PasswordVault/API/Safes?limit=1000', token).body;
    expect(listed.value.map((s: any) => s.safeName)).not.toContain(hidden);
    expect(listed.count).toBe(estate.access.safes.length - 1);
    expect(
      call(pvwa, 'GET', `/PasswordVault/API/Safes/${encodeURIComponent(hidden)}/Members`, token),
    ).toMatchObject({
      status: 404,
      body: { ErrorCode: 'SFWS0002E' },
    });
    const groups = (handler: ReturnType<typeof fake>, t: string) =>
      call(handler, 'GET', `/PasswordVault/API/Users?search=${USER}`, t).body.Users[0].groupsMembership;
    expect(groups(plain, plainToken)).toEqual([expect.objectContaining({ groupName: 'Auditors' })]);
    expect(groups(pvwa, token)).toEqual([]);
    expect(CYBERARK_LOSSY_BEHAVIOURS).toEqual(['cyberarkHiddenSafes']);
  });

  it('cyberarkSessionExpires: a session answers a fixed number of requests, then 401 PASWS006E until a new log-on', () => {
    const pvwa = fake({ cyberarkSessionExpires: true });
    const token = logon(pvwa);
    for (let i = 0; i < CYBERARK_SESSION_REQUESTS; i++)
      expect(call(pvwa, 'GET', '/PasswordVault/API/Safes?limit=1', token).status).toBe(200);
    expect(call(pvwa, 'GET', '/PasswordVault/API/Safes?limit=1', token)).toEqual({
      status: 401,
      body: { ErrorCode: 'PASWS006E', ErrorMessage: 'Your session has expired. Please log on again.' },
    });
    expect(call(pvwa, 'GET', '/PasswordVault/API/Safes?limit=1', logon(pvwa)).status).toBe(200);
  });
});

describe('the cyberark connector against the fake’s behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const USER = 'svc-audit-hub';
  const PASSWORD = 'Behaviour-Test-Password!';

  async function collect(behaviours: CyberarkBehaviours, options: CyberArkOptions = {}) {
    const handler = createCyberarkFake({
      estate: () => estate,
      user: USER,
      password: PASSWORD,
      now: () => NOW,
      behaviours,
    });
    let logons = 0;
    const fake = await serveFake((request) => {
      if (/\/logon$/i.test(request.path)) logons++;
      return handler(request);
    });
    try {
      const ctx = pluginTestContext(cyberarkPlugin, {
        connectorId: 'cyberark',
        baseUrl: fake.baseUrl,
        auth: { username: USER, password: PASSWORD },
        options: { pageSize: 10, ...options },
        now: NOW,
      });
      const connection = await cyberarkPlugin.connect(ctx);
      const batches = await readBatches(connection, 'entitlements', {
        cursor: null,
        full: true,
        since: new Date(0),
      });
      const checks = await connection.check();
      await connection.close?.();
      return { batches, checks, logons };
    } finally {
      await fake.close();
    }
  }
  const ids = (batches: { records: NormalizedRecord[] }[]) =>
    batches.flatMap((b) => b.records.map((r) => r.externalId)).sort();
  const problems = (batches: { problems?: unknown[] }[]) => batches.flatMap((b) => b.problems ?? []);

  it('cyberarkNextLinkPaging and cyberarkSessionExpires are transparent: the same entitlements, no problem, the session renewed as it expires', async () => {
    const plain = await collect({});
    expect(ids(plain.batches).length).toBeGreaterThan(0);
    expect(plain.checks.filter((c) => !c.ok)).toEqual([]);
    const paged = await collect({ cyberarkNextLinkPaging: true });
    expect(ids(paged.batches)).toEqual(ids(plain.batches));
    expect(problems(paged.batches)).toEqual([]);
    const expiring = await collect({ cyberarkSessionExpires: true, cyberarkNextLinkPaging: true });
    expect(ids(expiring.batches)).toEqual(ids(plain.batches));
    expect(problems(expiring.batches)).toEqual([]);
    // One stream session renewed several times (and the check's own), never a log-on per request.
    expect(expiring.logons).toBeGreaterThan(plain.logons);
  });

  it('cyberarkHiddenSafes is lossy and said so: named, the hidden safe is a lasting problem; the check warns that visibility is limited', async () => {
    const hidden = hiddenSafe(estate)!;
    const unnamed = await collect({ cyberarkHiddenSafes: true });
    expect(ids(unnamed.batches).some((id) => id.endsWith(`:${hidden}`))).toBe(false);
    expect(unnamed.checks.find((c) => c.name === 'visibility')).toMatchObject({
      ok: false,
      severity: 'warn',
    });

    const named = await collect({ cyberarkHiddenSafes: true }, { safes: ['PROD-*', hidden] });
    expect(problems(named.batches)).toEqual([
      expect.objectContaining({ code: 'cyberark-safe-not-visible', lasting: true }),
    ]);
  });
});
