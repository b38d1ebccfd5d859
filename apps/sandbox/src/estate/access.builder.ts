import { AUDIT_ACCOUNT, DEPLOY_BOT, RELEASE_BOT } from './estate.cast';
import { DAY, iso } from './estate.clock';
import type { AccessState, PamUser, Person, SafeMember, SecretEntity, SecretGroup } from './estate.model';
import { stableHexId } from './prng.util';

/**
 * Who can reach secrets and privileged accounts, as routine: compliant with RM-ACC-001..003 by
 * construction. Developers hold only non-production Vault policies (their team's, and `dev-read`
 * through the `engineering` parent group) and the `DEV-Shared` safe; SREs hold production standing
 * (they are the break-glass role); release managers hold production safes with an expiry (just in
 * time); only service accounts and CyberArk's predefined members hold production with no expiry;
 * leavers hold nothing. The planted cases (planted-access.scenarios.ts) change this on purpose.
 */

/** Vault's built-in policies, listed by `sys/policies/acl` like any other. */
const BUILT_IN_POLICIES = ['default', 'root'];

/** CyberArk's predefined safe members (listed only with `includePredefinedUsers`). */
export const PREDEFINED_MEMBERS: { name: string; type: 'User' | 'Group' }[] = [
  { name: 'Master', type: 'User' },
  { name: 'Batch', type: 'User' },
  { name: 'Auditors', type: 'Group' },
  { name: 'Backup Users', type: 'Group' },
];

/** The directory group CyberArk knows the developers by (a Group member, never expanded). */
export const DEVELOPERS_LDAP_GROUP = 'acme-developers';

export function capitalized(team: string): string {
  return team
    .split('-')
    .map((part) => `${part[0].toUpperCase()}${part.slice(1)}`)
    .join('-');
}

/** `PROD-Payments`: the production safe of a team. */
export function productionSafe(team: string): string {
  return `PROD-${capitalized(team)}`;
}

/** Vault ids are UUIDs; these are stable per estate. */
export function vaultId(seed: number, kind: string, name: string): string {
  const hex = stableHexId(seed, 'vault', kind, name);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function buildAccess(seed: number, people: Person[], teams: string[], t0: number): AccessState {
  const active = people.filter((p) => p.active);
  const withRole = (role: Person['roles'][number]) => active.filter((p) => p.roles.includes(role));
  const developers = withRole('developer');
  const sres = withRole('sre');
  const releaseManagers = withRole('release-manager');
  const byName = new Map(people.map((p) => [p.userName, p]));
  const since = (days: number) => iso(t0 - days * DAY);

  const policies = [
    ...BUILT_IN_POLICIES.map((name) => ({ name, description: 'Vault built-in policy' })),
    { name: 'audit-read', description: 'Read identity and policies (audit-hub)' },
    { name: 'dev-read', description: 'Read development secrets' },
    { name: 'staging-deploy', description: 'Deploy to staging' },
    { name: 'prod-deploy', description: 'Deploy to production (CI only)' },
    { name: 'prod-admin', description: 'Administer production secrets (SRE)' },
    ...teams.flatMap((team) => [
      { name: `${team}-dev-rw`, description: `Read and write ${team} development secrets` },
      { name: `${team}-prod-read`, description: `Read ${team} production secrets (on-call)` },
    ]),
  ];

  const entities: SecretEntity[] = [];
  const entity = (person: Person, mountType: 'ldap' | 'approle', direct: string[] = []) => {
    const e: SecretEntity = {
      id: vaultId(seed, 'entity', person.userName),
      name: person.userName,
      aliases: [{ name: person.userName, mountType }],
      policies: direct,
      createdAt: person.createdAt,
      disabled: false,
    };
    entities.push(e);
    return e;
  };
  for (const p of [...developers, ...releaseManagers, ...sres]) entity(p, 'ldap');
  const bot = (userName: string, direct: string[]) => {
    const p = byName.get(userName);
    if (p) entity(p, 'approle', direct);
  };
  bot(DEPLOY_BOT, ['prod-deploy', 'staging-deploy']);
  bot(RELEASE_BOT, ['staging-deploy']);
  bot(AUDIT_ACCOUNT, ['audit-read']);

  const idOf = (userName: string) => vaultId(seed, 'entity', userName);
  const group = (name: string, groupPolicies: string[], members: Person[], memberGroupIds: string[] = []) => {
    const g: SecretGroup = {
      id: vaultId(seed, 'group', name),
      name,
      policies: groupPolicies,
      memberEntityIds: members.map((m) => idOf(m.userName)),
      memberGroupIds,
      createdAt: since(700),
    };
    return g;
  };
  const teamGroups = teams.map((team) =>
    group(
      `${team}-developers`,
      [`${team}-dev-rw`],
      developers.filter((d) => d.team === team),
    ),
  );
  const groups: SecretGroup[] = [
    group(
      'engineering',
      ['dev-read'],
      [],
      teamGroups.map((g) => g.id),
    ),
    ...teamGroups,
    group('sre', ['prod-admin', 'staging-deploy'], sres),
    group('release-managers', ['staging-deploy'], releaseManagers),
  ];

  const safeNames = [...teams.map(productionSafe), 'DEV-Shared', 'STG-Shared', 'Shared Services'];
  const safes = safeNames.map((name, i) => ({
    name,
    number: 40 + i,
    description: name.startsWith('PROD-')
      ? `Production accounts of the ${name.slice(5).toLowerCase()} team`
      : name === 'DEV-Shared'
        ? 'Shared development accounts'
        : name === 'STG-Shared'
          ? 'Shared staging accounts'
          : 'Accounts of shared infrastructure services',
    createdAt: since(800 - i),
  }));

  const safeMembers: SafeMember[] = [];
  const member = (
    safe: string,
    memberName: string,
    permissions: SafeMember['permissions'],
    expiresAt: string | null,
    addedAt: string,
    extra: Partial<SafeMember> = {},
  ) => {
    safeMembers.push({
      safe,
      memberName,
      memberType: 'User',
      predefined: false,
      expiresAt,
      permissions,
      addedAt,
      ...extra,
    });
  };
  for (const safe of safes) {
    for (const p of PREDEFINED_MEMBERS) {
      member(safe.name, p.name, p.name === 'Auditors' ? 'audit' : 'full', null, safe.createdAt, {
        memberType: p.type,
        predefined: true,
      });
    }
    member(safe.name, AUDIT_ACCOUNT, 'audit', null, safe.createdAt);
    if (safe.name.startsWith('PROD-')) {
      member(safe.name, DEPLOY_BOT, 'use', null, safe.createdAt);
      for (const sre of sres) member(safe.name, sre.userName, 'full', null, since(300));
      // Just-in-time grants: a month long, renewed when needed.
      for (const rm of releaseManagers) member(safe.name, rm.userName, 'use', since(-20), since(10));
    } else if (safe.name === 'DEV-Shared') {
      for (const dev of developers) member(safe.name, dev.userName, 'use', null, dev.createdAt);
      member(safe.name, DEVELOPERS_LDAP_GROUP, 'use', null, safe.createdAt, { memberType: 'Group' });
    } else if (safe.name === 'STG-Shared') {
      for (const rm of releaseManagers) member(safe.name, rm.userName, 'use', null, since(200));
      member(safe.name, DEVELOPERS_LDAP_GROUP, 'use', null, safe.createdAt, { memberType: 'Group' });
    } else {
      for (const sre of sres) member(safe.name, sre.userName, 'full', null, since(300));
    }
  }

  const pamUsers: PamUser[] = [];
  const userNames = [
    ...new Set(safeMembers.filter((m) => m.memberType === 'User' && !m.predefined).map((m) => m.memberName)),
  ];
  userNames.forEach((userName, i) => {
    const p = byName.get(userName);
    pamUsers.push({
      id: 200 + i,
      userName,
      source: p && !p.roles.includes('service-account') ? 'LDAP' : 'CyberArk',
      firstName: p?.firstName ?? userName,
      lastName: p?.lastName ?? '',
      suspended: false,
      createdAt: p?.createdAt ?? since(800),
    });
  });
  return { policies, entities, groups, safes, safeMembers, pamUsers };
}
