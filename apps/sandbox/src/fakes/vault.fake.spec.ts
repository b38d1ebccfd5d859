import type { NormalizedRecord } from '@audit-hub/domain';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin as vaultPlugin, type VaultOptions } from '@audit-hub/plugin-vault';
import { generateEstate } from '../estate/estate.generator';
import {
  createVaultFake,
  VAULT_CHILD_NAMESPACES,
  VAULT_ENTERPRISE_VERSION,
  VAULT_LOSSY_BEHAVIOURS,
  VAULT_TRANSPARENT_BEHAVIOURS,
  type VaultBehaviours,
} from './vault.fake';
import type { FakeRequest } from './fake-http.util';
import { serveFake } from './fake-server.testing';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const TOKEN = 'hvs.test-token';

describe('Vault fake', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const vault = createVaultFake({
    estate: () => estate,
    token: TOKEN,
    now: () => NOW,
    userName: 'svc-audit-hub',
  });
  const call = (
    method: string,
    path: string,
    headers: Record<string, string> = { 'x-vault-token': TOKEN },
  ) => {
    const url = new URL(path, 'http://vault.invalid');
    const request: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      baseUrl: 'http://vault.invalid',
    };
    const response = vault(request);
    return { status: response.status, body: JSON.parse(response.body) };
  };

  it('answers sys/health without a token, and 403 permission denied without the right one', () => {
    expect(call('GET', '/v1/sys/health', {}).body).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
    });
    expect(call('GET', '/v1/identity/entity/id?list=true', {})).toEqual({
      status: 403,
      body: { errors: ['permission denied'] },
    });
    expect(call('GET', '/v1/identity/entity/id?list=true', { authorization: `Bearer ${TOKEN}` }).status).toBe(
      200,
    );
  });

  it('lists ids the same way for LIST and GET ?list=true, in the response envelope', () => {
    const list = call('LIST', '/v1/identity/entity/id');
    expect(call('GET', '/v1/identity/entity/id?list=true')).toEqual({
      status: 200,
      body: { ...list.body, request_id: expect.any(String) },
    });
    expect(Object.keys(list.body).sort()).toEqual(
      [
        'auth',
        'data',
        'lease_duration',
        'lease_id',
        'renewable',
        'request_id',
        'warnings',
        'wrap_info',
      ].sort(),
    );
    expect(list.body.data.keys).toHaveLength(
      estate.access.entities.filter((e) => e.createdAt <= NOW.toISOString()).length,
    );
  });

  it('answers an empty list with 404 {"errors":[]} and an unknown path with an error message', () => {
    const empty = createVaultFake({
      estate: () => ({ ...estate, access: { ...estate.access, groups: [] } }),
      token: TOKEN,
      now: () => NOW,
      userName: 'svc-audit-hub',
    });
    const response = empty({
      method: 'LIST',
      path: '/v1/identity/group/id',
      query: new URLSearchParams(),
      headers: { 'x-vault-token': TOKEN },
      baseUrl: 'http://vault.invalid',
    });
    expect([response.status, JSON.parse(response.body)]).toEqual([404, { errors: [] }]);
    expect(call('GET', '/v1/secret/nothing').status).toBe(404);
  });

  it('reads entities with aliases and groups with null empty lists and their parents', () => {
    const oncall = estate.access.groups.find((g) => g.name === 'storefront-oncall')!;
    const group = call('GET', `/v1/identity/group/id/${oncall.id}`).body.data;
    expect(group).toMatchObject({
      name: 'storefront-oncall',
      policies: ['storefront-prod-read'],
      member_group_ids: null,
      type: 'internal',
    });
    const team = estate.access.groups.find((g) => g.name === 'payments-developers')!;
    const parent = estate.access.groups.find((g) => g.name === 'engineering')!;
    expect(call('GET', `/v1/identity/group/id/${team.id}`).body.data.parent_group_ids).toEqual([parent.id]);
    const entity = estate.access.entities.find((e) => e.name.startsWith('entity_'))!;
    const read = call('GET', `/v1/identity/entity/id/${entity.id}`).body.data;
    expect(read.aliases).toEqual([
      expect.objectContaining({ name: entity.aliases[0].name, mount_type: 'ldap', canonical_id: entity.id }),
    ]);
    expect(read.creation_time).toMatch(/\.\d{9}Z$/);
    expect(call('GET', '/v1/sys/policies/acl?list=true').body.data.keys).toContain('prod-admin');
  });
});

describe('Vault fake behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const fake = (behaviours: VaultBehaviours) =>
    createVaultFake({
      estate: () => estate,
      token: TOKEN,
      now: () => NOW,
      userName: 'svc-audit-hub',
      behaviours,
    });
  const call = (
    handler: ReturnType<typeof fake>,
    method: string,
    path: string,
    extra: Record<string, string> = {},
    body?: unknown,
  ) => {
    const url = new URL(path, 'http://vault.invalid');
    const response = handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: { 'x-vault-token': TOKEN, ...extra },
      baseUrl: 'http://vault.invalid',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: JSON.parse(response.body) };
  };

  it('vaultEnterpriseNamespaces: an Enterprise version, namespaces listed level by level, identity per namespace', () => {
    const ent = fake({ vaultEnterpriseNamespaces: true });
    const health = call(ent, 'GET', '/v1/sys/health', {}).body;
    expect(health).toMatchObject({ version: VAULT_ENTERPRISE_VERSION, license: { state: 'autoloaded' } });
    expect(health).not.toHaveProperty('enterprise');
    expect(call(ent, 'LIST', '/v1/sys/namespaces').body.data.keys).toEqual(['platform/']);
    expect(
      call(ent, 'LIST', '/v1/sys/namespaces', { 'x-vault-namespace': 'platform' }).body.data.keys,
    ).toEqual(['ci/']);
    expect(call(ent, 'LIST', '/v1/sys/namespaces', { 'x-vault-namespace': 'platform/ci' })).toEqual({
      status: 404,
      body: { errors: [] },
    });
    // Root holds the estate, platform its own entities; an entity is answered only in its namespace.
    const rootIds: string[] = call(ent, 'LIST', '/v1/identity/entity/id').body.data.keys;
    expect(rootIds).toHaveLength(
      estate.access.entities.filter((e) => e.createdAt <= NOW.toISOString()).length,
    );
    const platformIds: string[] = call(ent, 'LIST', '/v1/identity/entity/id', {
      'x-vault-namespace': 'platform',
    }).body.data.keys;
    expect(platformIds).toHaveLength(2);
    expect(platformIds.some((id) => rootIds.includes(id))).toBe(false);
    const own = call(ent, 'GET', `/v1/identity/entity/id/${platformIds[0]}`, {
      'x-vault-namespace': 'platform',
    });
    expect(own.body.data.name).toMatch(/^svc-platform-/);
    expect(call(ent, 'GET', `/v1/identity/entity/id/${platformIds[0]}`)).toEqual({
      status: 404,
      body: { errors: [] },
    });
    // The path prefix works like the header.
    expect(call(ent, 'LIST', '/v1/platform/ci/identity/entity/id').body.data.keys).toHaveLength(2);
    expect(call(ent, 'LIST', '/v1/identity/entity/id', { 'x-vault-namespace': 'nowhere' }).status).toBe(404);
    // Without the switch there are no namespaces.
    expect(call(fake({}), 'LIST', '/v1/sys/namespaces').status).toBe(404);
    expect(VAULT_TRANSPARENT_BEHAVIOURS).toEqual(['vaultEnterpriseNamespaces']);
  });

  it('answers sys/capabilities-self per path; vaultIdentityGroupsDenied refuses the groups and says deny', () => {
    const paths = [
      'identity/entity/id',
      'identity/entity/id/x',
      'identity/group/id',
      'identity/group/id/x',
      'secret/x',
    ];
    expect(call(fake({}), 'POST', '/v1/sys/capabilities-self', {}, { paths }).body).toEqual({
      'identity/entity/id': ['list'],
      'identity/entity/id/x': ['read'],
      'identity/group/id': ['list'],
      'identity/group/id/x': ['read'],
      'secret/x': ['deny'],
    });
    const denied = fake({ vaultIdentityGroupsDenied: true });
    expect(
      call(denied, 'POST', '/v1/sys/capabilities-self', {}, { paths }).body['identity/group/id'],
    ).toEqual(['deny']);
    expect(call(denied, 'LIST', '/v1/identity/group/id').status).toBe(403);
    expect(call(denied, 'LIST', '/v1/identity/entity/id').status).toBe(200);
    expect(VAULT_LOSSY_BEHAVIOURS).toEqual(['vaultIdentityGroupsDenied']);
  });
});

describe('the vault connector against the fake’s behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });

  async function collect(behaviours: VaultBehaviours, options: VaultOptions = {}) {
    const handler = createVaultFake({
      estate: () => estate,
      token: TOKEN,
      now: () => NOW,
      userName: 'svc-audit-hub',
      behaviours,
    });
    const fake = await serveFake(handler);
    try {
      const ctx = pluginTestContext(vaultPlugin, {
        connectorId: 'vault',
        baseUrl: fake.baseUrl,
        auth: { token: TOKEN },
        // Node's HTTP server refuses the LIST method: lists are sent as GET ?list=true.
        options: { listMethod: 'GET', ...options },
        now: NOW,
      });
      const connection = await vaultPlugin.connect(ctx);
      const input = { cursor: null, full: true, since: new Date(0) };
      return {
        entitlements: await readBatches(connection, 'entitlements', input),
        groups: await readBatches(connection, 'groups', input),
        checks: await connection.check(),
      };
    } finally {
      await fake.close();
    }
  }
  const ids = (batches: { records: NormalizedRecord[] }[]) =>
    batches.flatMap((b) => b.records.map((r) => r.externalId)).sort();
  const problems = (batches: { problems?: unknown[] }[]) => batches.flatMap((b) => b.problems ?? []);

  it('vaultEnterpriseNamespaces is transparent: the base reads the same records; every namespace read adds only its own, qualified', async () => {
    const plain = await collect({});
    const ent = await collect({ vaultEnterpriseNamespaces: true });
    expect(ids(plain.entitlements).length).toBeGreaterThan(0);
    expect(ids(ent.entitlements)).toEqual(ids(plain.entitlements));
    expect(ids(ent.groups)).toEqual(ids(plain.groups));
    expect([...problems(ent.entitlements), ...problems(ent.groups)]).toEqual([]);
    // The check passes, warning of the namespaces left unread.
    expect(ent.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({ name: 'namespaces', severity: 'warn' }),
    ]);

    const all = await collect({ vaultEnterpriseNamespaces: true }, { namespaces: ['*'] });
    const extra = ids(all.entitlements).filter((id) => !ids(plain.entitlements).includes(id));
    expect(extra.length).toBeGreaterThan(0);
    for (const namespace of VAULT_CHILD_NAMESPACES)
      expect(extra.some((id) => id.startsWith(`${namespace}/svc-`))).toBe(true);
    expect(extra.every((id) => /^platform(\/ci)?\/svc-/.test(id))).toBe(true);
    expect(problems(all.entitlements)).toEqual([]);
    expect(all.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('vaultIdentityGroupsDenied is lossy and said so: lasting problems with the policy stanza, a failing check with what it costs', async () => {
    const { entitlements, groups, checks } = await collect({ vaultIdentityGroupsDenied: true });
    for (const batches of [entitlements, groups])
      expect(problems(batches)).toEqual([
        expect.objectContaining({
          code: 'vault-capability-missing',
          lasting: true,
          fix: expect.stringContaining('identity/group/id'),
        }),
      ]);
    expect(checks.find((c) => c.name === 'list:identity/group/id')).toMatchObject({
      ok: false,
      affects: { kinds: ['entitlement', 'group-membership'] },
    });
  });
});
