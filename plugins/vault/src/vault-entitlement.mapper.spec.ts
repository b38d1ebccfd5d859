import { holderAliases, holderType, mapEntitlement } from './vault-entitlement.mapper';
import type { EntityAlias, ParsedEntity } from './vault-identity.parser';

function entity(aliases: EntityAlias[], over: Partial<ParsedEntity> = {}): ParsedEntity {
  return {
    id: 'id-1',
    name: 'jane',
    namespace: '',
    disabled: false,
    policies: [],
    aliases,
    raw: { id: 'id-1' },
    ...over,
  };
}

describe('vault entitlement mapper', () => {
  it('makes a holder a service only when every alias comes from a machine auth method', () => {
    expect(holderType([{ name: 'r', mountType: 'approle' }])).toBe('service');
    expect(
      holderType([
        { name: 'r', mountType: 'approle' },
        { name: 'k', mountType: 'kubernetes' },
      ]),
    ).toBe('service');
    expect(
      holderType([
        { name: 'r', mountType: 'approle' },
        { name: 'jane', mountType: 'oidc' },
      ]),
    ).toBe('user');
    expect(holderType([{ name: 'c', mountType: 'cert' }])).toBe('user');
    // No alias, or an alias whose mount type Vault did not say: a user.
    expect(holderType([])).toBe('user');
    expect(holderType([{ name: 'r' }])).toBe('user');
  });

  it('lists the other user names of the holder once each, sorted, without its own name', () => {
    const e = entity([
      { name: 'jdoe', mountType: 'ldap' },
      { name: 'jane', mountType: 'userpass' },
      { name: 'jane.doe@acme.com', mountType: 'oidc' },
      { name: 'jdoe', mountType: 'github' },
    ]);
    expect(holderAliases(e)).toEqual(['jane.doe@acme.com', 'jdoe']);
  });

  it('maps a direct policy without via, a group one with it, and notes a disabled entity in raw', () => {
    const e = entity([], { disabled: true });
    const direct = mapEntitlement(e, { policy: 'prod-db', grants: [{ source: 'entity' }] });
    expect(direct).toEqual({
      kind: 'entitlement',
      externalId: 'jane:prod-db',
      data: { holder: 'jane', holderAliases: [], resource: 'prod-db', holderType: 'user' },
      raw: { entityId: 'id-1', disabled: true, grants: [{ source: 'entity' }], entity: { id: 'id-1' } },
    });
    expect('via' in direct.data).toBe(false);
    const grant = { source: 'group' as const, groupId: 'g1', groupName: 'sre', path: ['sre'] };
    expect(mapEntitlement(e, { policy: 'prod-db', via: 'sre', grants: [grant] }).data.via).toBe('sre');
  });
});
