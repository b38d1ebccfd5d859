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

/** The paths the check asks `sys/capabilities-self` about: each list, and an item under it. */
const CAPABILITY_PATHS = [
  'identity/entity/id',
  'identity/entity/id/audit-hub-capability-probe',
  'identity/group/id',
  'identity/group/id/audit-hub-capability-probe',
];

function capabilities(scope: nock.Scope, answer = fixture('sys-capabilities-self.json')): nock.Scope {
  return scope
    .post('/v1/sys/capabilities-self', { paths: CAPABILITY_PATHS })
    .reply(200, answer, JSON_HEADERS);
}

const IDENTITY = { kinds: ['entitlement', 'group-membership'] };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('vault connection check (contract)', () => {
  it('reports the node, the token’s name and policies, and each capability, never the token or its accessor', async () => {
    const root = health(200, fixture('sys-health.json'));
    const scope = vault('admin');
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    capabilities(scope);
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${ENTITY_IDS[0]}`)
      .reply(200, sample('identity-entity-id-read.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/group/id/${GROUP_IDS[0]}`)
      .reply(200, sample('identity-group-id-read.json'), JSON_HEADERS);

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
      {
        name: 'ready',
        ok: false,
        detail: 'Vault is sealed: nothing can be read until it is unsealed',
        affects: IDENTITY,
      },
    ]);
  });

  it('goes on past a standby node (429 is its health status, not a rate limit)', async () => {
    const standby = { ...parsed(fixture('sys-health.json')), standby: true };
    const root = health(429, JSON.stringify(standby));
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    capabilities(scope);
    for (const path of ['identity/entity/id', 'identity/group/id'])
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
      // Empty lists: granted, nothing to read; Vault itself says the reads are granted too.
      { name: 'list:identity/entity/id', ok: true, detail: '0 entities' },
      { name: 'read:identity/entity/id/*', ok: true, detail: 'granted (sys/capabilities-self)' },
      { name: 'list:identity/group/id', ok: true, detail: '0 groups' },
      { name: 'read:identity/group/id/*', ok: true, detail: 'granted (sys/capabilities-self)' },
    ]);
  });

  it('names what a refused token and each missing capability need, without printing the token', async () => {
    const root = health(200, fixture('sys-health.json'));
    const echo = JSON.stringify({ errors: [`permission denied (token ${TOKEN})`] });
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(403, echo, JSON_HEADERS);
    // A token without the default policy may not ask its capabilities: the requests tell instead.
    scope.post('/v1/sys/capabilities-self').reply(403, echo, JSON_HEADERS);
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${ENTITY_IDS[0]}`)
      .reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(403, echo, JSON_HEADERS);

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
        affects: IDENTITY,
        fix: expect.stringContaining('valid token'),
      },
      { name: 'list:identity/entity/id', ok: true, detail: '7 entities' },
      {
        name: 'read:identity/entity/id/*',
        ok: false,
        detail: expect.stringContaining(
          `GET /v1/identity/entity/id/${ENTITY_IDS[0]} failed (forbidden 403): the token's policies must grant the "read" capability on "identity/entity/id/*"`,
        ),
        affects: IDENTITY,
        fix: 'add to a policy of the token: path "identity/entity/id/*" { capabilities = ["read"] }',
      },
      {
        name: 'list:identity/group/id',
        ok: false,
        detail: expect.stringContaining('must grant the "list" capability on "identity/group/id"'),
        affects: IDENTITY,
        fix: 'add to a policy of the token: path "identity/group/id" { capabilities = ["list"] }',
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('names a capability Vault says is not granted (sys/capabilities-self: deny), with its policy stanza, without asking the refused list', async () => {
    const root = health(200, fixture('sys-health.json'));
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    capabilities(scope, fixture('sys-capabilities-self-group-denied.json'));
    list(scope, 'identity/entity/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const results = await check();
    root.done();
    scope.done();

    expect(results.slice(2)).toEqual([
      { name: 'list:identity/entity/id', ok: true, detail: '0 entities' },
      { name: 'read:identity/entity/id/*', ok: true, detail: 'granted (sys/capabilities-self)' },
      {
        name: 'list:identity/group/id',
        ok: false,
        detail:
          'the token\'s policies do not grant "list" on "identity/group/id" (sys/capabilities-self: deny)',
        affects: IDENTITY,
        fix: 'add to a policy of the token: path "identity/group/id" { capabilities = ["list"] }',
      },
      {
        name: 'read:identity/group/id/*',
        ok: false,
        detail:
          'the token\'s policies do not grant "read" on "identity/group/id/*" (sys/capabilities-self: deny)',
        affects: IDENTITY,
        fix: 'add to a policy of the token: path "identity/group/id/*" { capabilities = ["read"] }',
      },
    ]);
  });

  it('on Enterprise (version +ent), warns of the namespaces below that are not read', async () => {
    const root = health(200, fixture('sys-health-enterprise.json'));
    const scope = vault();
    scope.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    list(scope, 'sys/namespaces').reply(200, fixture('sys-namespaces-list.json'), JSON_HEADERS);
    capabilities(scope);
    for (const path of ['identity/entity/id', 'identity/group/id'])
      list(scope, path).reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const results = await check();
    root.done();
    scope.done();

    expect(results[0]).toEqual({
      name: 'reachable',
      ok: true,
      detail: 'Vault 1.15.6+ent (vault-cluster-3bd69ca2) answered 200: unsealed, active (Enterprise)',
    });
    expect(results[2]).toEqual({
      name: 'namespaces',
      ok: false,
      severity: 'warn',
      detail:
        '2 namespace(s) below the root are not read (team-a, team-b): the policies held there are not audited',
      fix: 'add them to options.namespaces, or read every namespace with namespaces: ["*"]',
    });
  });

  it('checks every capability in each namespace read, with that namespace’s header', async () => {
    const root = health(
      200,
      JSON.stringify({ ...parsed(fixture('sys-health.json')), version: '1.16.3', enterprise: true }),
    );
    const base = vault();
    base.get('/v1/auth/token/lookup-self').reply(200, lookupSelf(), JSON_HEADERS);
    // Resolving the namespaces asks the edition again before reading any other than the base.
    const again = health(200, JSON.stringify({ version: '1.16.3', enterprise: true }));
    capabilities(base);
    for (const path of ['identity/entity/id', 'identity/group/id'])
      list(base, path).reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);
    const teamA = vault('team-a');
    capabilities(teamA, fixture('sys-capabilities-self-group-denied.json'));
    list(teamA, 'identity/entity/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const results = await check({ namespaces: ['', 'team-a'] });
    root.done();
    again.done();
    base.done();
    teamA.done();

    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['reachable', true],
      ['credentials', true],
      ['namespaces', true],
      ['list:identity/entity/id', true],
      ['read:identity/entity/id/*', true],
      ['list:identity/group/id', true],
      ['read:identity/group/id/*', true],
      ['list:team-a/identity/entity/id', true],
      ['read:team-a/identity/entity/id/*', true],
      ['list:team-a/identity/group/id', false],
      ['read:team-a/identity/group/id/*', false],
    ]);
    expect(results[2].detail).toBe('reading (base), team-a');
    expect(results[9]).toMatchObject({
      detail: expect.stringContaining('in namespace team-a'),
      fix: 'add to a policy of the token in namespace team-a: path "identity/group/id" { capabilities = ["list"] }',
    });
  });
});
