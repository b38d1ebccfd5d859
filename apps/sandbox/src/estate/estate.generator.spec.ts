import { DAY, HOUR } from './estate.clock';
import { advanceEstate, generateEstate } from './estate.generator';
import type { Estate } from './estate.model';

const NOW = new Date('2025-03-14T12:00:00.000Z');

function productionDeployments(estate: Estate) {
  const production = new Set(estate.environments.filter((e) => e.tier === 'production').map((e) => e.id));
  return estate.deployments.filter((d) => production.has(d.environmentId) && d.createdAt <= estate.now);
}

describe('generateEstate', () => {
  it('is deterministic: the same seed, scale and now give the same estate', () => {
    const a = generateEstate({ seed: 7, scale: 1, now: NOW });
    const b = generateEstate({ seed: 7, scale: 1, now: NOW });
    expect(b).toEqual(a);
  });

  it('gives a different estate for a different seed', () => {
    const a = generateEstate({ seed: 7, scale: 1, now: NOW });
    const b = generateEstate({ seed: 8, scale: 1, now: NOW });
    expect(b.deployments.map((d) => d.sha)).not.toEqual(a.deployments.map((d) => d.sha));
    expect(b.people.map((p) => p.userName)).not.toEqual(a.people.map((p) => p.userName));
  });

  it('at scale 1 holds eight services under the acme group and a few weeks of history', () => {
    const estate = generateEstate({ seed: 1, scale: 1, now: NOW });
    const active = estate.services.filter((s) => !s.archived);
    expect(active.map((s) => s.gitlabPath)).toEqual([
      'acme/payments-api',
      'acme/checkout-web',
      'acme/ledger-service',
      'acme/identity-gateway',
      'acme/notifications-worker',
      'acme/reporting-batch',
      'acme/settlement-engine',
      'acme/kyc-service',
    ]);
    expect(active.filter((s) => s.deployVia === 'jenkins').map((s) => s.jenkins)).toEqual([
      { deployJob: 'finance/settlement-engine-deploy', buildJob: 'finance/settlement-engine-build' },
    ]);
    expect(estate.services.filter((s) => s.archived).map((s) => s.gitlabPath)).toEqual([
      'acme/legacy-billing',
    ]);
    const prod = productionDeployments(estate);
    expect(prod.length).toBeGreaterThanOrEqual(80);
    expect(prod.length).toBeLessThanOrEqual(160);
    const staging = estate.deployments.filter((d) => d.environment === 'staging');
    expect(staging.length).toBeGreaterThan(prod.length / 2);
    expect(prod.some((d) => d.status === 'failed')).toBe(true);
    const first = estate.deployments.reduce((min, d) => (d.createdAt < min ? d.createdAt : min), estate.now);
    expect(Date.parse(estate.now) - Date.parse(first)).toBeGreaterThan(20 * DAY);
  });

  it('has the environment traps: live and prod-eu are tier production, prod-sandbox is tier other', () => {
    const estate = generateEstate({ seed: 1, scale: 1, now: NOW });
    const env = (service: string, name: string) =>
      estate.environments.find((e) => e.service === service && e.name === name)?.tier;
    expect(env('ledger-service', 'live')).toBe('production');
    expect(env('checkout-web', 'prod-eu')).toBe('production');
    expect(env('identity-gateway', 'prod-sandbox')).toBe('other');
    expect(env('payments-api', 'staging')).toBe('staging');
    expect(estate.environments.every((e) => e.tier !== undefined)).toBe(true);
  });

  it('has people in every role, leavers inactive and svc- service accounts', () => {
    const estate = generateEstate({ seed: 1, scale: 1, now: NOW });
    const roles = new Set(estate.people.flatMap((p) => p.roles));
    expect([...roles].sort()).toEqual(
      ['approver', 'developer', 'emergency-approver', 'release-manager', 'service-account', 'sre'].sort(),
    );
    const leavers = estate.people.filter((p) => !p.active);
    expect(leavers.length).toBe(2);
    expect(leavers.every((p) => p.leftAt !== undefined && p.leftAt < estate.now)).toBe(true);
    const accounts = estate.people.filter((p) => p.roles.includes('service-account')).map((p) => p.userName);
    expect(accounts.every((u) => /^svc-/.test(u))).toBe(true);
  });

  it('carries CHG numbers through variables, commit messages and MRs, and all three change types', () => {
    const estate = generateEstate({ seed: 3, scale: 1, now: NOW });
    const chg = /\bCHG\d{7}\b/;
    expect(
      estate.pipelines.some((p) => p.variables.some((v) => v.key === 'CHANGE_ID' && chg.test(v.value))),
    ).toBe(true);
    expect(estate.pipelines.some((p) => p.variables.some((v) => v.variableType === undefined))).toBe(true);
    expect(estate.commits.some((c) => chg.test(c.message))).toBe(true);
    expect(estate.mergeRequests.some((m) => chg.test(m.title))).toBe(true);
    expect(estate.mergeRequests.some((m) => chg.test(m.description))).toBe(true);
    const types = new Set(generateEstate({ seed: 3, scale: 3, now: NOW }).changes.map((c) => c.type));
    expect([...types].sort()).toEqual(['emergency', 'normal', 'standard']);
  });

  it('at a large scale (more than 700 people) hires nobody after its clock, so every approver is served', () => {
    const now = new Date('2026-11-02T00:00:00.000Z');
    const large = generateEstate({ seed: 42, scale: 130, now });
    expect(large.people.length).toBeGreaterThan(700);
    expect(large.people.filter((p) => p.createdAt > now.toISOString())).toEqual([]);
    const hired = new Map(large.people.map((p) => [p.userName, p.createdAt]));
    const unserved = large.changeApprovals.filter((a) => !(hired.get(a.approver)! <= a.createdAt));
    expect(unserved).toEqual([]);
  });

  it('grows roughly linearly with scale, Jenkins deploying the batch services', () => {
    const four = generateEstate({ seed: 5, scale: 4, now: NOW });
    const eight = generateEstate({ seed: 5, scale: 8, now: NOW });
    expect(four.services.filter((s) => !s.archived)).toHaveLength(24);
    expect(eight.services.filter((s) => !s.archived)).toHaveLength(48);
    // The planted cases are a constant share; the routine grows with the services.
    const ratio = productionDeployments(eight).length / productionDeployments(four).length;
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(2.5);
    const jenkins = eight.services.filter((s) => s.deployVia === 'jenkins');
    expect(jenkins.length).toBeGreaterThan(2);
    for (const s of jenkins) {
      expect(
        eight.ciBuilds.some((b) => b.job === s.jenkins!.deployJob && b.environment === 'production'),
      ).toBe(true);
    }
  });

  it('records a CI build, a Jenkins deployment and a SonarQube analysis for each Jenkins release', () => {
    const estate = generateEstate({ seed: 4, scale: 1, now: NOW });
    const deploys = estate.ciBuilds.filter((b) => b.job === 'finance/settlement-engine-deploy');
    const builds = estate.ciBuilds.filter((b) => b.job === 'finance/settlement-engine-build');
    expect(deploys.filter((b) => b.environment === 'staging')).toHaveLength(builds.length);
    expect(deploys.filter((b) => b.environment === 'production').length).toBeGreaterThan(5);
    for (const build of builds) {
      const repo = build.checkouts[build.checkouts.length - 1];
      expect(build.checkouts[0].remoteUrl).toMatch(/jenkins-shared-library\.git$/);
      expect(repo.remoteUrl).toBe('git@gitlab.acme.com:acme/settlement-engine.git');
      expect(estate.analyses.some((a) => a.revision === repo.sha)).toBe(true);
      expect(build.fingerprints[0].original).toEqual({ job: build.job, number: build.number });
    }
    const maintenance = estate.ciBuilds.filter((b) => b.job === 'platform/tools/workspace-cleanup');
    expect(maintenance.length).toBeGreaterThan(20);
    expect(maintenance.every((b) => b.causes[0].type === 'timer' && b.artifacts.length === 0)).toBe(true);
  });

  it('keeps the access routine: developers hold no production grant, leavers none at all', () => {
    const estate = generateEstate({ seed: 6, scale: 2, now: NOW });
    const planted = new Set(
      estate.planted.flatMap((p) =>
        p.subject.type === 'entitlement' ? [`${p.subject.holder}:${p.subject.resource}`] : [],
      ),
    );
    const developers = new Set(estate.groups.find((g) => g.name === 'Developers')!.members);
    const leavers = new Set(estate.people.filter((p) => !p.active).map((p) => p.userName));
    for (const m of estate.access.safeMembers) {
      if (planted.has(`${m.memberName}:${m.safe}`)) continue;
      if (m.safe.startsWith('PROD-')) expect(developers.has(m.memberName)).toBe(false);
      expect(leavers.has(m.memberName)).toBe(false);
    }
    const entityNames = estate.access.entities.map((e) => e.aliases[0].name);
    expect(entityNames.filter((n) => leavers.has(n))).toHaveLength(1);
  });

  it('refuses bad options with a message naming the option', () => {
    expect(() => generateEstate({ seed: -1, scale: 1, now: NOW })).toThrow(/seed/);
    expect(() => generateEstate({ seed: 1, scale: 0, now: NOW })).toThrow(/scale/);
    expect(() => generateEstate({ seed: 1, scale: 1, now: new Date('nope') })).toThrow(/now/);
  });
});

describe('advanceEstate', () => {
  it('adds new deployments, approvals and closures after the old present, deterministically', () => {
    const estate = generateEstate({ seed: 11, scale: 1, now: NOW });
    const before = estate.deployments.length;
    const later = new Date(NOW.getTime() + 7 * DAY);
    advanceEstate(estate, later);
    expect(estate.now).toBe(later.toISOString());
    const added = estate.deployments.slice(before);
    expect(added.length).toBeGreaterThan(5);
    expect(added.every((d) => d.createdAt > NOW.toISOString())).toBe(true);
    const newChanges = estate.changes.filter(
      (c) => c.createdAt > NOW.toISOString() && c.createdAt <= estate.now,
    );
    expect(newChanges.some((c) => c.revisions.some((r) => r.approval === 'approved'))).toBe(true);
    expect(
      estate.changes.some((c) =>
        c.revisions.some((r) => r.state === 'closed' && r.at > NOW.toISOString() && r.at <= estate.now),
      ),
    ).toBe(true);
  });

  it('gives the same estate whether it advances in one step or several', () => {
    const target = new Date(NOW.getTime() + 5 * DAY + 3 * HOUR);
    const once = advanceEstate(generateEstate({ seed: 12, scale: 1, now: NOW }), target);
    const stepwise = generateEstate({ seed: 12, scale: 1, now: NOW });
    for (let t = NOW.getTime() + 13 * HOUR; t < target.getTime(); t += 13 * HOUR)
      advanceEstate(stepwise, new Date(t));
    advanceEstate(stepwise, target);
    expect({ ...stepwise, version: 0 }).toEqual({ ...once, version: 0 });
  });

  it('does not move the present backwards', () => {
    const estate = generateEstate({ seed: 13, scale: 1, now: NOW });
    advanceEstate(estate, new Date(NOW.getTime() - DAY));
    expect(estate.now).toBe(NOW.toISOString());
  });
});
