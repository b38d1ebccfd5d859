/** Contract tests of `connection.check()` (used by `connectors check`), through nock. */
import nock from 'nock';
import type { VaultOptions } from '../src';
import { BASE, connect, CONNECTOR, JSON_HEADERS, OVER_NOCK, TOKEN } from './context';
import { vault } from './nock-vault';
import { fixture, parsed, sample } from './samples';
import { ENTITY_IDS, GROUP_IDS, list } from './scenario';

const ACCESSOR = '8609694a-cdbc-db9b-d345-e782dbb562ed';

/** The docs' lookup-self answer, with its `id` (the token itself) set to the token under test. */
function lookupSelf(): string {
  const body = parsed(fixture('auth-token-lookup-self.json'));
  body.data.id = TOKEN;
  return JSON.stringify(body);
}

/** sys/health is unauthenticated and root-namespace only: sent without the token or namespace. */
function health(status: number, body: string): nock.Scope {
  return nock(BASE, { badheaders: ['x-vault-token', 'x-vault-namespace'] })
    .get('/v1/sys/health')
    .reply(status, body, JSON_HEADERS);
}

async function check(options: VaultOptions = {}) {
  return (await connect({ ...OVER_NOCK, ...options })).check();
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('vault connection check (contract)', () => {
  it('reports the node, the token’s name and policies, and each capability, never the token or its accessor', async () => {
    const root = health(200, fixture('sys-health.json'));
    const scope = vault('admin');
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${ENTITY_IDS[0]}`)
      .reply(200, sample('identity-entity-id-read.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/group/id/${GROUP_IDS[0]}`)
      .reply(200, sample('identity-group-id-read.json'), JSON_HEADERS);
    list(scope, 'sys/policies/acl').reply(200, sample('sys-policies-acl-list.json'), JSON_HEADERS);

    const results = await check({ namespace: 'admin' });
    root.done();
    scope.done();

    expect(results).toEqual([
      {
        name: 'reachable',
        ok: true,
        detail: 'Vault 0.9.2 (vault-cluster-3bd69ca2) answered 200: unsealed, active',
      },
      {
        name: 'credentials',
        ok: true,
        detail:
          'token "ldap2-tesla" with policies [default, testgroup2-policy], identity policies [dev-group-policy]; expires 2018-05-19T11:35:54.466476215-04:00',
      },
      { name: 'list:identity/entity/id', ok: true, detail: '7 entities' },
      {
        name: 'read:identity/entity/id/*',
        ok: true,
        detail: 'read entity "entity-c323de27-2ad2-5ded-dbf3-0c7ef98bc613"',
      },
      { name: 'list:identity/group/id', ok: true, detail: '6 groups' },
      { name: 'read:identity/group/id/*', ok: true, detail: 'read group "group_ab813d63"' },
      // The sample has `keys` at the top, without the `data` envelope.
      { name: 'list:sys/policies/acl', ok: true, detail: '2 ACL policies' },
    ]);
    const printed = JSON.stringify(results);
    expect(printed).not.toContain(TOKEN);
    expect(printed).not.toContain(ACCESSOR);
  });

  it('stops at a sealed Vault, saying so', async () => {
    const sealed = { ...parsed(fixture('sys-health.json')), sealed: true };
    const root = health(503, JSON.stringify(sealed));

    const results = await check();
    root.done();

    expect(results).toEqual([
      {
        name: 'reachable',
        ok: true,
        detail: 'Vault 0.9.2 (vault-cluster-3bd69ca2) answered 503: sealed',
      },
      { name: 'ready', ok: false, detail: 'Vault is sealed: nothing can be read until it is unsealed' },
    ]);
  });

  it('goes on past a standby node (429 is its health status, not a rate limit)', async () => {
    const standby = { ...parsed(fixture('sys-health.json')), standby: true };
    const root = health(429, JSON.stringify(standby));
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    for (const path of ['identity/entity/id', 'identity/group/id', 'sys/policies/acl'])
      list(scope, path).reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const results = await check();
    root.done();
    scope.done();

    expect(results).toEqual([
      {
        name: 'reachable',
        ok: true,
        detail:
          'Vault 0.9.2 (vault-cluster-3bd69ca2) answered 429: unsealed, standby (requests are forwarded to the active node)',
      },
      expect.objectContaining({ name: 'credentials', ok: true }),
      // Empty lists: granted, nothing to read.
      { name: 'list:identity/entity/id', ok: true, detail: '0 entities' },
      { name: 'list:identity/group/id', ok: true, detail: '0 groups' },
      { name: 'list:sys/policies/acl', ok: true, detail: '0 ACL policies' },
    ]);
  });

  it('names what a refused token and each missing capability need, without printing the token', async () => {
    const root = health(200, fixture('sys-health.json'));
    const echo = JSON.stringify({ errors: [`permission denied (token ${TOKEN})`] });
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(403, echo, JSON_HEADERS);
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${ENTITY_IDS[0]}`)
      .reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    list(scope, 'sys/policies/acl').reply(403, echo, JSON_HEADERS);

    const results = await check();
    root.done();
    scope.done();

    expect(results.slice(1)).toEqual([
      {
        name: 'credentials',
        ok: false,
        detail:
          `the token was refused: it is invalid, expired or revoked, or no policy of it grants "read" on "auth/token/lookup-self" (the default policy does) ` +
          `(${CONNECTOR}: GET /v1/auth/token/lookup-self failed (forbidden 403): the token's policies must grant the "read" capability on "auth/token/lookup-self" (Vault said: permission denied (token [REDACTED])))`,
      },
      { name: 'list:identity/entity/id', ok: true, detail: '7 entities' },
      {
        name: 'read:identity/entity/id/*',
        ok: false,
        detail: expect.stringContaining(
          `GET /v1/identity/entity/id/${ENTITY_IDS[0]} failed (forbidden 403): the token's policies must grant the "read" capability on "identity/entity/id/*"`,
        ),
      },
      {
        name: 'list:identity/group/id',
        ok: false,
        detail: expect.stringContaining('must grant the "list" capability on "identity/group/id"'),
      },
      {
        name: 'list:sys/policies/acl',
        ok: false,
        detail: expect.stringContaining('must grant the "list" capability on "sys/policies/acl"'),
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });
});
