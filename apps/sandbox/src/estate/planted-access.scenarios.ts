import { productionSafe, vaultId } from './access.builder';
import { DAY, iso } from './estate.clock';
import type { Estate, SafeMember } from './estate.model';
import { plantCase, type SetupContext } from './planted.support';

/**
 * Planted cases of the access controls, on top of the routine access of access.builder.ts:
 * RM-ACC-001 (a developer in a production safe, a developer holding a production policy through an
 * on-call Vault group; near-miss: a break-glass developer's grant while unexpired), RM-ACC-002 (a
 * leaver's Vault entity, a safe member no identity source knows; near-misses: an entity named by
 * id that resolves through its LDAP alias, an unknown `svc-` account) and RM-ACC-003 (release
 * managers holding production safes with no expiry, one of them covered by an exception; near-
 * misses: SREs in break-glass, a just-in-time grant, a predefined member).
 */

/** Whole seconds: CyberArk keeps expiries as epoch seconds. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function member(estate: Estate, safe: string, memberName: string): SafeMember {
  const found = estate.access.safeMembers.find((m) => m.safe === safe && m.memberName === memberName);
  if (!found) throw new Error(`planted access case: ${memberName} is not a member of ${safe}`);
  return found;
}

export function setupAccessCases({ estate, cast, t0 }: SetupContext): void {
  const { access } = estate;
  const addMember = (m: Omit<SafeMember, 'memberType' | 'predefined'>) =>
    access.safeMembers.push({ memberType: 'User', predefined: false, ...m });
  const addPamUser = (userName: string, source: 'LDAP' | 'CyberArk', createdAt: string) =>
    access.pamUsers.push({
      id: 200 + access.pamUsers.length,
      userName,
      source,
      firstName: userName.split('.')[0],
      lastName: userName.split('.')[1] ?? '',
      suspended: false,
      createdAt,
    });

  // ---------------------------------------------------------------- RM-ACC-001
  const payDev = cast.developers('payments')[2].userName;
  const paySafe = productionSafe('payments');
  const payAdded = iso(seconds(t0 - 10 * DAY));
  addMember({
    safe: paySafe,
    memberName: payDev,
    permissions: 'use',
    expiresAt: iso(seconds(t0 + 30 * DAY)),
    addedAt: payAdded,
  });
  plantCase(estate, {
    id: 'RM-ACC-001/developer-in-production-safe',
    controlId: 'RM-ACC-001',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'cyberark', holder: payDev, resource: paySafe },
    from: payAdded,
    note: `${payDev}, a developer (ServiceNow group Developers), is a member of ${paySafe} (expiring in 30 days) and is not in the break-glass role.`,
  });

  const storeDev = cast.developers('storefront')[1].userName;
  const oncallCreated = iso(t0 - 12 * DAY);
  access.groups.push({
    id: vaultId(estate.seed, 'group', 'storefront-oncall'),
    name: 'storefront-oncall',
    policies: ['storefront-prod-read'],
    memberEntityIds: [vaultId(estate.seed, 'entity', storeDev)],
    memberGroupIds: [],
    createdAt: oncallCreated,
  });
  plantCase(estate, {
    id: 'RM-ACC-001/developer-vault-oncall',
    controlId: 'RM-ACC-001',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'vault', holder: storeDev, resource: 'storefront-prod-read' },
    from: oncallCreated,
    note: `${storeDev}, a developer, holds the production policy storefront-prod-read through the Vault group storefront-oncall.`,
  });
  plantCase(estate, {
    id: 'RM-ACC-003/developer-vault-oncall',
    controlId: 'RM-ACC-003',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'vault', holder: storeDev, resource: 'storefront-prod-read' },
    from: oncallCreated,
    note: `The same grant is standing access: Vault policy grants never expire, and ${storeDev} is neither a service account nor in break-glass.`,
  });

  const oncallDev = cast.developers('platform')[0].userName;
  const platformSafe = productionSafe('platform');
  const grantAdded = iso(seconds(t0 - DAY));
  const grantExpires = seconds(t0 + 7 * DAY);
  estate.breakGlassUsers.push(oncallDev);
  addMember({
    safe: platformSafe,
    memberName: oncallDev,
    permissions: 'full',
    expiresAt: iso(grantExpires),
    addedAt: grantAdded,
  });
  plantCase(estate, {
    id: 'RM-ACC-001/break-glass-unexpired',
    controlId: 'RM-ACC-001',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'cyberark', holder: oncallDev, resource: platformSafe },
    from: grantAdded,
    later: [{ from: grantExpires, flagged: true }],
    note: `${oncallDev}, a developer on call this week, is listed in the break-glass role and holds ${platformSafe} with an expiry 7 days after generation: exempt while unexpired; from the expiry on (CyberArk keeps the expired member listed) it is a developer holding production access.`,
  });

  // ---------------------------------------------------------------- RM-ACC-002
  const leaver = estate.people.find((p) => p.leftAt && p.team === 'payments');
  if (!leaver?.leftAt) throw new Error('planted access case: the estate has no payments leaver');
  access.entities.push({
    id: vaultId(estate.seed, 'entity', leaver.userName),
    name: leaver.userName,
    aliases: [{ name: leaver.userName, mountType: 'ldap' }],
    policies: ['dev-read'],
    createdAt: leaver.createdAt,
    disabled: false,
  });
  plantCase(estate, {
    id: 'RM-ACC-002/leaver-vault-entity',
    controlId: 'RM-ACC-002',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'vault', holder: leaver.userName, resource: 'dev-read' },
    from: leaver.leftAt,
    note: `${leaver.userName} left on ${leaver.leftAt.slice(0, 10)} (inactive in ServiceNow), and the Vault entity still holds dev-read.`,
  });

  const contractor = 'ext.contractor';
  const contractorAdded = iso(seconds(t0 - 15 * DAY));
  addMember({
    safe: 'STG-Shared',
    memberName: contractor,
    permissions: 'use',
    expiresAt: null,
    addedAt: contractorAdded,
  });
  addPamUser(contractor, 'CyberArk', contractorAdded);
  plantCase(estate, {
    id: 'RM-ACC-002/unknown-holder',
    controlId: 'RM-ACC-002',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'cyberark', holder: contractor, resource: 'STG-Shared' },
    from: contractorAdded,
    note: `${contractor}, a vault user created in CyberArk itself, is known to no identity source (ServiceNow) and holds STG-Shared.`,
  });

  const aliased = cast.developers('finance')[0];
  const entity = access.entities.find((e) => e.name === aliased.userName)!;
  entity.name = `entity_${entity.id.slice(0, 8)}`;
  plantCase(estate, {
    id: 'RM-ACC-002/entity-resolved-by-alias',
    controlId: 'RM-ACC-002',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'vault', holder: entity.name, resource: 'dev-read' },
    from: entity.createdAt,
    note: `Vault entity ${entity.name} has an auto-generated name; its LDAP alias ${aliased.userName} is an active ServiceNow user, so it is that person.`,
  });

  const backup = 'svc-backup';
  const backupAdded = iso(seconds(t0 - 200 * DAY));
  addMember({
    safe: 'DEV-Shared',
    memberName: backup,
    permissions: 'use',
    expiresAt: null,
    addedAt: backupAdded,
  });
  addPamUser(backup, 'CyberArk', backupAdded);
  plantCase(estate, {
    id: 'RM-ACC-002/unknown-service-account',
    controlId: 'RM-ACC-002',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'cyberark', holder: backup, resource: 'DEV-Shared' },
    from: backupAdded,
    note: `${backup} is unknown to ServiceNow, but its name matches the service-account pattern ^svc[-_]: service accounts are exempt.`,
  });

  // ---------------------------------------------------------------- RM-ACC-003
  const [rm0, rm1] = cast.releaseManagers.map((p) => p.userName);
  const standing = member(estate, paySafe, rm0);
  standing.expiresAt = null;
  plantCase(estate, {
    id: 'RM-ACC-003/release-manager-standing',
    controlId: 'RM-ACC-003',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'cyberark', holder: rm0, resource: paySafe },
    from: standing.addedAt,
    note: `${rm0}, a release manager, holds ${paySafe} with no expiry, and is neither a service account nor in break-glass.`,
  });

  const financeSafe = productionSafe('finance');
  const excepted = member(estate, financeSafe, rm1);
  excepted.expiresAt = null;
  const expires = iso(t0 + 120 * DAY).slice(0, 10);
  plantCase(estate, {
    id: 'RM-ACC-003/excepted-standing',
    controlId: 'RM-ACC-003',
    kind: 'violation',
    subject: { type: 'entitlement', system: 'cyberark', holder: rm1, resource: financeSafe },
    from: excepted.addedAt,
    acceptedUntil: `${expires}T23:59:59.999Z`,
    note: `${rm1} holds ${financeSafe} with no expiry for the month-end close; an exception (accepted risk, approved by the CISO, until ${expires}) covers it, so the finding is accepted.`,
  });
  const requester = estate.people.find((p) => p.userName === rm1)!;
  estate.exceptions.push({
    caseId: 'RM-ACC-003/excepted-standing',
    reason:
      'Month-end close needs standing access to the finance safe until just-in-time access is rolled out',
    requestedBy: requester.email,
    approvedBy: `ciso@${estate.organization.domain}`,
    expires,
  });

  const sre = cast.sres[0].userName;
  plantCase(estate, {
    id: 'RM-ACC-003/break-glass-standing',
    controlId: 'RM-ACC-003',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'cyberark', holder: sre, resource: paySafe },
    from: member(estate, paySafe, sre).addedAt,
    note: `${sre}, an SRE, holds ${paySafe} with no expiry; SREs are the break-glass role (ServiceNow group SRE), which is exempt.`,
  });
  plantCase(estate, {
    id: 'RM-ACC-003/just-in-time-grant',
    controlId: 'RM-ACC-003',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'cyberark', holder: rm1, resource: paySafe },
    from: member(estate, paySafe, rm1).addedAt,
    note: `${rm1} holds ${paySafe} with an expiry: not standing access, whether or not the expiry has passed.`,
  });
  plantCase(estate, {
    id: 'RM-ACC-003/predefined-member',
    controlId: 'RM-ACC-003',
    kind: 'near-miss',
    subject: { type: 'entitlement', system: 'cyberark', holder: 'Master', resource: paySafe },
    from: member(estate, paySafe, 'Master').addedAt,
    note: "Master, CyberArk's predefined vault user, holds every safe with no expiry: predefined members are service accounts.",
  });
}
