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

  it('at scale 1 holds six services under the acme group and a few weeks of history', () => {
    const estate = generateEstate({ seed: 1, scale: 1, now: NOW });
    const active = estate.services.filter((s) => !s.archived);
    expect(active.map((s) => s.gitlabPath)).toEqual([
      'acme/payments-api',
      'acme/checkout-web',
      'acme/ledger-service',
      'acme/identity-gateway',
      'acme/notifications-worker',
      'acme/reporting-batch',
    ]);
    expect(estate.services.filter((s) => s.archived).map((s) => s.gitlabPath)).toEqual([
      'acme/legacy-billing',
    ]);
    const prod = productionDeployments(estate);
    expect(prod.length).toBeGreaterThanOrEqual(45);
    expect(prod.length).toBeLessThanOrEqual(90);
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

  it('grows roughly linearly with scale', () => {
    const one = generateEstate({ seed: 5, scale: 1, now: NOW });
    const four = generateEstate({ seed: 5, scale: 4, now: NOW });
    expect(four.services.filter((s) => !s.archived)).toHaveLength(24);
    const ratio = productionDeployments(four).length / productionDeployments(one).length;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(5.5);
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
