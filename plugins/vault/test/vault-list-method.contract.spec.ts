/**
 * Contract tests on the wire, against a raw TCP Vault (raw-vault.server.ts): nock cannot replay
 * `LIST`, the method Vault documents and this plugin sends by default.
 */
import { connect, readStream, recordsOf, TOKEN } from './context';
import { bypassLeftoverInterceptors, RawVaultServer, type RawReply } from './raw-vault.server';
import { fixture, sample } from './samples';
import { E, ENTITY_BODIES, ENTITY_IDS, SAMPLE_ENTITY_NAME } from './scenario';

const EMPTY: RawReply = { status: 404, body: sample('error-404-empty-list.json') };

/** The entity list sample, an empty group list, and every entity read. */
function directOnlyRoutes(listMethod: 'LIST' | 'GET'): Record<string, RawReply> {
  const list = (path: string) => (listMethod === 'LIST' ? `LIST /v1/${path}` : `GET /v1/${path}?list=true`);
  const routes: Record<string, RawReply> = {
    [list('identity/entity/id')]: { status: 200, body: sample('identity-entity-id-list.json') },
    [list('identity/group/id')]: EMPTY,
  };
  for (const [id, body] of Object.entries(ENTITY_BODIES))
    routes[`GET /v1/identity/entity/id/${id}`] = { status: 200, body };
  return routes;
}

let server: RawVaultServer | undefined;

bypassLeftoverInterceptors();

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(routes: Record<string, RawReply>): Promise<string> {
  server = new RawVaultServer(routes);
  return server.start();
}

describe('vault on the wire: LIST, and a refused connection (contract, raw server)', () => {
  it('sends LIST by default, with the token and the namespace on every request', async () => {
    const baseUrl = await start(directOnlyRoutes('LIST'));

    const batches = await readStream('entitlements', { namespace: 'admin' }, { baseUrl });

    const requests = server!.requests;
    expect(requests.slice(0, 2).map((r) => `${r.method} ${r.target}`)).toEqual([
      'LIST /v1/identity/entity/id',
      'LIST /v1/identity/group/id',
    ]);
    expect(requests).toHaveLength(2 + ENTITY_IDS.length);
    for (const request of requests) {
      expect(request.headers['x-vault-token']).toBe(TOKEN);
      expect(request.headers['x-vault-namespace']).toBe('admin');
    }
    expect(batches[0].problems).toBeUndefined();
    expect([...recordsOf(batches, 'entitlement').keys()].sort()).toEqual([
      `${SAMPLE_ENTITY_NAME}:eng-dev`,
      `${SAMPLE_ENTITY_NAME}:infra-dev`,
      'jane:prod-db-admin',
      'svc-reporting:default',
      'svc-reporting:prod-read',
    ]);
  });

  it('sends GET ?list=true when listMethod is GET', async () => {
    const baseUrl = await start(directOnlyRoutes('GET'));

    const batches = await readStream('entitlements', { listMethod: 'GET' }, { baseUrl });

    expect(server!.requests.slice(0, 2).map((r) => `${r.method} ${r.target}`)).toEqual([
      'GET /v1/identity/entity/id?list=true',
      'GET /v1/identity/group/id?list=true',
    ]);
    expect(server!.requests.every((r) => r.headers['x-vault-namespace'] === undefined)).toBe(true);
    expect(recordsOf(batches, 'entitlement').size).toBe(5);
  });

  it('reads the groups stream with LIST, an empty group list being a complete read of nothing', async () => {
    const baseUrl = await start({ 'LIST /v1/identity/group/id': EMPTY });

    const batches = await readStream('groups', {}, { baseUrl });

    expect(server!.requests.map((r) => r.method)).toEqual(['LIST']);
    expect(batches).toEqual([{ records: [] }]);
  });

  it('checks with LIST: every capability granted', async () => {
    const baseUrl = await start({
      'GET /v1/sys/health': { status: 200, body: fixture('sys-health.json') },
      'GET /v1/auth/token/lookup-self': { status: 200, body: fixture('auth-token-lookup-self.json') },
      'LIST /v1/identity/entity/id': { status: 200, body: sample('identity-entity-id-list.json') },
      [`GET /v1/identity/entity/id/${E.sample}`]: {
        status: 200,
        body: sample('identity-entity-id-read.json'),
      },
      'LIST /v1/identity/group/id': EMPTY,
      // No route for POST /v1/sys/capabilities-self: a 405, and the requests tell instead.
    });

    const results = await (await connect({}, { baseUrl })).check();

    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['reachable', true],
      ['credentials', true],
      ['list:identity/entity/id', true],
      ['read:identity/entity/id/*', true],
      ['list:identity/group/id', true],
    ]);
    // sys/health is unauthenticated and root-namespace only: sent without the token.
    expect(server!.requests[0].headers['x-vault-token']).toBeUndefined();
  });

  it('reports an unreachable Vault as such, with the reason, and checks nothing else', async () => {
    // A port that was just listened on and closed: the connection is refused.
    const closed = new RawVaultServer({});
    const baseUrl = await closed.start();
    await closed.stop();

    const results = await (await connect({}, { baseUrl })).check();

    expect(results).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
        affects: { kinds: ['entitlement', 'group-membership'] },
      },
    ]);
  });
});
