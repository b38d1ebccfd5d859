import { generateEstate } from '../estate/estate.generator';
import { createVaultFake } from './vault.fake';
import type { FakeRequest } from './fake-http.util';

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
