import type { Estate, Person, PersonRole } from './estate.model';
import type { Rng } from './prng.util';

/** Who plays which part in the estate's stories, looked up once from its people. */
export interface Cast {
  /** Active developers of a team. */
  developers(team: string): Person[];
  approvers: Person[];
  emergencyApprovers: Person[];
  releaseManagers: Person[];
  sres: Person[];
  /** The deploy bot that plays manual production jobs for some releases. */
  deployBot: Person;
  /** The account whose credentials the audit hub uses (GitLab `/user`, ServiceNow basic auth). */
  auditAccount: Person;
  person(userName: string): Person;
}

export const DEPLOY_BOT = 'svc-deployer';
export const RELEASE_BOT = 'svc-release-bot';
export const AUDIT_ACCOUNT = 'svc-audit-hub';

export function castOf(estate: Estate): Cast {
  const active = estate.people.filter((p) => p.active);
  const withRole = (role: PersonRole) => active.filter((p) => p.roles.includes(role));
  const byName = new Map(estate.people.map((p) => [p.userName, p]));
  const person = (userName: string): Person => {
    const found = byName.get(userName);
    if (!found) throw new Error(`estate: no person named "${userName}"`);
    return found;
  };
  const developersByTeam = new Map<string, Person[]>();
  for (const p of withRole('developer')) {
    if (!p.team) continue;
    const list = developersByTeam.get(p.team) ?? [];
    list.push(p);
    developersByTeam.set(p.team, list);
  }
  return {
    developers(team: string) {
      const list = developersByTeam.get(team);
      if (!list || list.length < 2)
        throw new Error(`estate: team "${team}" needs at least two active developers`);
      return list;
    },
    approvers: withRole('approver'),
    emergencyApprovers: withRole('emergency-approver'),
    releaseManagers: withRole('release-manager'),
    sres: withRole('sre'),
    deployBot: person(DEPLOY_BOT),
    auditAccount: person(AUDIT_ACCOUNT),
    person,
  };
}

/**
 * controls.md "high-impact": `criticality: high` in the catalog, or a CMDB item of the service at
 * `1 - most critical` / `2 - somewhat critical`. Routine releases of these get dual control.
 */
export function isHighImpact(estate: Estate, service: string): boolean {
  const s = estate.services.find((x) => x.name === service);
  if (s?.criticality === 'high') return true;
  return estate.configItems.some((ci) => ci.service === service && ci.criticality <= 2);
}

/**
 * Two approvers of a protected production environment, neither of them the deployer: SREs and
 * release managers, never the developers whose code ships.
 */
export function environmentApprovers(cast: Cast, deployer: string, rng: Rng): string[] {
  const pool = [...cast.sres, ...cast.releaseManagers].map((p) => p.userName).filter((u) => u !== deployer);
  return rng.sample(pool, 2);
}
