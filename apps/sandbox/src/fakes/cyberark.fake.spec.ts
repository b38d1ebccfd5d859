import { startSandbox, type Sandbox } from '../sandbox.server';

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
