import { expiryInstant, holderTypeOf, mapMember, permissionNames } from './cyberark-entitlement.mapper';

const SAFE = { safeName: 'PROD-DB', safeUrlId: 'PROD-DB', safeNumber: 41 };

describe('expiryInstant', () => {
  it('reads epoch seconds as a UTC instant, and null as no expiry', () => {
    expect(expiryInstant(1767225600)).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(expiryInstant('1767225600')).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(expiryInstant(null)).toEqual({});
    expect(expiryInstant(undefined)).toEqual({});
  });

  it('reads zero and .NET DateTime.MinValue as no expiry, not as 1970', () => {
    expect(expiryInstant(0)).toEqual({});
    expect(expiryInstant(-62135578800)).toEqual({});
  });

  it('takes a 13-digit value as milliseconds, and refuses what is not a number', () => {
    expect(expiryInstant(1767225600000)).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(expiryInstant('2026-01-01')).toEqual({ invalid: '"2026-01-01"' });
    expect(expiryInstant(true)).toEqual({ invalid: 'true' });
  });
});

describe('permissionNames', () => {
  it('lists the granted permissions in PVWA order, Gen1 names the Gen2 way', () => {
    expect(permissionNames({ useAccounts: true, retrieveAccounts: false, listAccounts: true })).toEqual([
      'useAccounts',
      'listAccounts',
    ]);
    expect(permissionNames({ ListAccounts: true, ViewSafeMembers: 'true', ManageSafe: false })).toEqual([
      'listAccounts',
      'viewSafeMembers',
    ]);
    expect(
      permissionNames([
        { Key: 'UseAccounts', Value: true },
        { Key: 'ManageSafe', Value: false },
      ]),
    ).toEqual(['useAccounts']);
    expect(permissionNames(undefined)).toEqual([]);
  });
});

describe('holderTypeOf', () => {
  it('marks predefined members first, then groups, else users', () => {
    expect(holderTypeOf({ memberType: 'Group', isPredefinedUser: true })).toBe('predefined');
    expect(holderTypeOf({ MemberType: 'group', IsPredefinedUser: false })).toBe('group');
    expect(holderTypeOf({ memberType: 'User' })).toBe('user');
    expect(holderTypeOf({ memberType: 'Role' })).toBe('user');
  });
});

describe('mapMember', () => {
  it('keys the entitlement <memberName>:<safeName> and keeps the member as sent', () => {
    const member = {
      memberName: 'jdoe',
      memberType: 'User',
      membershipExpirationDate: null,
      permissions: {},
    };
    expect(mapMember(member, SAFE, null)).toEqual({
      record: {
        kind: 'entitlement',
        externalId: 'jdoe:PROD-DB',
        data: { holder: 'jdoe', holderAliases: [], resource: 'PROD-DB', permissions: [], holderType: 'user' },
        raw: { safe: SAFE, member },
      },
    });
  });

  it('attaches the vault user status by case-insensitive name, never to a group', () => {
    const users = new Map([['jdoe', { username: 'JDoe', suspended: true }]]);
    const user = mapMember({ memberName: 'JDOE', memberType: 'User' }, SAFE, users);
    expect(user.record?.raw).toMatchObject({ vaultUser: { username: 'JDoe', suspended: true } });
    const group = mapMember({ memberName: 'jdoe', memberType: 'Group' }, SAFE, users);
    expect(group.record?.raw).not.toHaveProperty('vaultUser');
  });

  it('keeps a member whose expiry cannot be read, without the expiry, and says so', () => {
    const mapped = mapMember({ memberName: 'jdoe', membershipExpirationDate: 'soon' }, SAFE, null);
    expect(mapped.record?.data).not.toHaveProperty('expiresAt');
    expect(mapped.problem).toBe(
      'member "jdoe": membershipExpirationDate "soon" is not epoch seconds; the expiry is left out',
    );
  });

  it('leaves out a member without a name', () => {
    expect(mapMember({ memberType: 'User' }, SAFE, null)).toEqual({ problem: 'a member has no memberName' });
    expect(mapMember('x', SAFE, null)).toEqual({ problem: 'a member is not a JSON object' });
  });
});
