import { GroupGraph, policiesHeld } from './vault-entitlement.resolver';
import type { ParsedEntity, ParsedGroup } from './vault-identity.parser';

function group(id: string, over: Partial<ParsedGroup> = {}): ParsedGroup {
  return {
    id,
    name: id,
    namespace: '',
    type: 'internal',
    policies: [],
    memberEntityIds: [],
    memberGroupIds: [],
    parentGroupIds: [],
    raw: {},
    ...over,
  };
}

function entity(id: string, policies: string[] = []): ParsedEntity {
  return { id, name: id, namespace: '', disabled: false, policies, aliases: [], raw: {} };
}

function held(e: ParsedEntity, groups: ParsedGroup[]) {
  return policiesHeld(e, new GroupGraph(groups)).map(({ policy, via }) => ({ policy, via }));
}

describe('vault entitlement resolver', () => {
  it('holds the entity’s own policies directly, once each, sorted', () => {
    expect(held(entity('e', ['b', 'a']), [])).toEqual([
      { policy: 'a', via: undefined },
      { policy: 'b', via: undefined },
    ]);
  });

  it('keeps a policy direct when a group grants it too, and lists both grants', () => {
    const e = entity('e', ['p']);
    const g = group('g', { policies: ['p', 'q'], memberEntityIds: ['e'] });
    expect(held(e, [g])).toEqual([
      { policy: 'p', via: undefined },
      { policy: 'q', via: 'g' },
    ]);
    expect(policiesHeld(e, new GroupGraph([g]))[0].grants).toEqual([
      { source: 'entity' },
      { source: 'group', groupId: 'g', groupName: 'g', path: ['g'] },
    ]);
  });

  it('names the nearest granting group, the first by name among equally near ones', () => {
    const groups = [
      group('zeta', { policies: ['p'], memberEntityIds: ['e'], parentGroupIds: ['top'] }),
      group('alpha', { policies: ['p'], memberEntityIds: ['e'] }),
      group('top', { policies: ['p', 'q'] }),
    ];
    expect(held(entity('e'), groups)).toEqual([
      { policy: 'p', via: 'alpha' },
      { policy: 'q', via: 'top' },
    ]);
  });

  it('finds parents from parent_group_ids and from the parents’ member_group_ids alike', () => {
    const groups = [
      group('team', { memberEntityIds: ['e'], parentGroupIds: ['dept'] }),
      group('dept', { policies: ['dept-p'] }),
      group('org', { policies: ['org-p'], memberGroupIds: ['dept'] }),
    ];
    expect(held(entity('e'), groups)).toEqual([
      { policy: 'dept-p', via: 'dept' },
      { policy: 'org-p', via: 'org' },
    ]);
    const [, org] = policiesHeld(entity('e'), new GroupGraph(groups));
    expect(org.grants).toEqual([
      { source: 'group', groupId: 'org', groupName: 'org', path: ['team', 'dept', 'org'] },
    ]);
  });

  it('ends at a cycle and ignores a group listed as its own parent', () => {
    const groups = [
      group('a', { policies: ['pa'], memberEntityIds: ['e'], parentGroupIds: ['a', 'b'] }),
      group('b', { policies: ['pb'], parentGroupIds: ['c'] }),
      group('c', { policies: ['pc'], memberGroupIds: ['b'], parentGroupIds: ['a'] }),
    ];
    expect(held(entity('e'), groups)).toEqual([
      { policy: 'pa', via: 'a' },
      { policy: 'pb', via: 'b' },
      { policy: 'pc', via: 'c' },
    ]);
  });

  it('skips parent groups that were not read, and grants nothing to an entity in no group', () => {
    const groups = [group('team', { policies: ['t'], memberEntityIds: ['e'], parentGroupIds: ['unread'] })];
    expect(held(entity('e'), groups)).toEqual([{ policy: 't', via: 'team' }]);
    expect(held(entity('other'), groups)).toEqual([]);
  });
});
