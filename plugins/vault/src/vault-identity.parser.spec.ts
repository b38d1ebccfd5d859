import { MalformedItemError, parseEntity, parseGroup } from './vault-identity.parser';

describe('vault identity parser', () => {
  it('reads null and missing lists as empty, and a list given twice once', () => {
    expect(
      parseGroup({ name: 'g', member_group_ids: null, policies: ['a', 'a', ''] }, 'listed'),
    ).toMatchObject({
      id: 'listed',
      type: 'internal',
      policies: ['a'],
      memberEntityIds: [],
      memberGroupIds: [],
      parentGroupIds: [],
    });
    expect(parseEntity({ name: 'e', aliases: null, policies: null }, 'listed')).toMatchObject({
      id: 'listed',
      disabled: false,
      policies: [],
      aliases: [],
    });
  });

  it('takes the body’s own id over the listed one', () => {
    expect(parseEntity({ id: 'own', name: 'e' }, 'listed').id).toBe('own');
  });

  it('keeps an alias’s name, mount type and accessor', () => {
    const parsed = parseEntity(
      {
        name: 'e',
        aliases: [{ name: 'jdoe', mount_type: 'ldap', mount_accessor: 'auth_ldap_1', mount_path: 'ldap/' }],
      },
      'x',
    );
    expect(parsed.aliases).toEqual([{ name: 'jdoe', mountType: 'ldap', mountAccessor: 'auth_ldap_1' }]);
  });

  it.each([
    [{}, 'name is not a non-empty string'],
    [{ name: '' }, 'name is not a non-empty string'],
    [{ name: 'e', policies: 'p' }, 'policies is not a list'],
    [{ name: 'e', policies: [1] }, 'policies[0] is not a string'],
    [{ name: 'e', aliases: [{}] }, 'aliases[0].name is not a non-empty string'],
    [{ name: 'e', aliases: [{ name: 'a', mount_type: 3 }] }, 'aliases[0].mount_type is not a string'],
    [{ name: 'e', disabled: 'no' }, 'disabled is not a boolean'],
    [{ name: 'e', id: 7 }, 'id is not a string'],
  ])('refuses the entity %j: %s', (body, reason) => {
    expect(() => parseEntity(body, 'x')).toThrow(new MalformedItemError(reason));
  });

  it('refuses a group with members that are not a list, or a type that is not a string', () => {
    expect(() => parseGroup({ name: 'g', member_entity_ids: 'e1' }, 'x')).toThrow(
      'member_entity_ids is not a list',
    );
    expect(() => parseGroup({ name: 'g', type: 1 }, 'x')).toThrow('type is not a string');
    expect(parseGroup({ name: 'g', type: 'external' }, 'x').type).toBe('external');
  });
});
