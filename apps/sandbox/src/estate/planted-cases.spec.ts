import { DAY, HOUR, revisionAt } from './estate.clock';
import { generateEstate } from './estate.generator';
import { EstateIndex } from './estate.index';
import { expectedFindings } from './estate.manifest';
import type { Change, CiBuild, Deployment, Estate, Instant, MergeRequest } from './estate.model';

/**
 * Each planted case of the controls beyond linking, checked on the raw estate by the definitions
 * of controls.md — never through the hub's controls: the violation is there as described, and the
 * near-miss is compliant. Then the routine around them, read the same way for the controls whose
 * definitions are simple to read off the data: nothing but the planted cases is flagged.
 */

const NOW = new Date('2025-03-14T12:00:00.000Z');
const CHG = /\bCHG\d{7}\b/g;
const PRODUCTION_SAFE = /^PROD-/;
const PRODUCTION_POLICY = /prod/;
const SERVICE_ACCOUNT = /^svc[-_]/;

function reader(estate: Estate, at: Instant = estate.now) {
  const index = EstateIndex.of(estate);
  const env = (d: Deployment) => index.environmentsById.get(d.environmentId)!;
  const isProduction = (d: Deployment) => env(d).tier === 'production';
  const audited = (d: Deployment) => isProduction(d) && d.status === 'success' && d.finishedAt <= at;
  const shipped = (d: Deployment): MergeRequest[] =>
    d.mergeRequestIids.map((iid) => index.mergeRequest(d.service, iid)!);
  const change = (number: string): { c: Change; r: Change['revisions'][number] } | undefined => {
    const c = index.changesByNumber.get(number);
    return c && c.createdAt <= at ? { c, r: revisionAt(c.revisions, at)! } : undefined;
  };
  const numbers = (text: string) => Array.from(text.matchAll(CHG), (m) => m[0]);
  /** controls.md "linked change": variables, deployed commit message, shipped MR titles and descriptions. */
  const linked = (d: Deployment) => {
    const pipeline = index.pipelinesById.get(d.pipelineId)!;
    const found = new Set([
      ...pipeline.variables.flatMap((v) => numbers(v.value)),
      ...numbers(index.commitsBySha.get(d.sha)!.message),
      ...shipped(d).flatMap((m) => [...numbers(m.title), ...numbers(m.description)]),
    ]);
    return [...found].map(change).filter((x) => x !== undefined);
  };
  /** A Jenkins deploy build's deployed commit: its checkout of the service's repository. */
  const deployedSha = (b: CiBuild) =>
    b.checkouts.find((c) => c.remoteUrl.includes(`:${index.servicesByName.get(b.service!)!.gitlabPath}.git`))!
      .sha;
  const jenkinsAudited = (b: CiBuild) =>
    b.environment === 'production' &&
    b.result === 'SUCCESS' &&
    b.service !== null &&
    Date.parse(b.startedAt) + b.durationMs <= Date.parse(at);
  const ancestors = (sha: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(index.commitsBySha.get(next)?.parentShas ?? []));
    }
    return seen;
  };
  /**
   * controls.md "MRs shipped" for a Jenkins deployment: merged MRs whose merge commit is reachable
   * from the deployed commit but not from the previous successful production deploy build's.
   */
  const jenkinsShipped = (b: CiBuild): MergeRequest[] => {
    const previous = estate.ciBuilds
      .filter((p) => p.service === b.service && jenkinsAudited(p) && p.environment === b.environment)
      .filter((p) => p.startedAt < b.startedAt)
      .sort((x, y) => x.startedAt.localeCompare(y.startedAt))
      .pop();
    const before = previous ? ancestors(deployedSha(previous)) : new Set<string>();
    const range = previous ? ancestors(deployedSha(b)) : new Set([deployedSha(b)]);
    return estate.mergeRequests.filter(
      (m) =>
        m.service === b.service &&
        m.mergeCommitSha !== undefined &&
        range.has(m.mergeCommitSha) &&
        !before.has(m.mergeCommitSha),
    );
  };
  const jenkinsLinked = (b: CiBuild) =>
    [
      ...new Set([
        ...b.parameters.flatMap((p) => numbers(String(p.value))),
        ...numbers(index.commitsBySha.get(deployedSha(b))!.message),
        ...jenkinsShipped(b).flatMap((m) => [...numbers(m.title), ...numbers(m.description)]),
      ]),
    ]
      .map(change)
      .filter((x) => x !== undefined);
  const approvalsOf = (number: string) =>
    (index.approvalsByChange.get(number) ?? []).map((a) => ({
      approver: a.approver,
      state: revisionAt(a.revisions, at)!.state,
    }));
  const highImpact = (service: string) =>
    index.servicesByName.get(service)!.criticality === 'high' ||
    estate.configItems.some((ci) => ci.service === service && ci.criticality <= 2);
  /** RM-SOD-002's count: approvers of linked changes and of the deployment, not the deployer or code authors. */
  const independentApprovers = (d: Deployment) => {
    const excluded = new Set([
      d.triggeredBy,
      ...shipped(d).map((m) => m.authorUserName),
      index.commitsBySha.get(d.sha)!.authorUserName,
    ]);
    const approvers = [
      ...linked(d).flatMap(({ c }) =>
        approvalsOf(c.number)
          .filter((a) => a.state === 'approved')
          .map((a) => a.approver),
      ),
      ...d.approvals.filter((a) => a.status === 'approved' && a.at <= at).map((a) => a.userName),
    ];
    return new Set(approvers.filter((a) => !excluded.has(a)));
  };
  const ciVersion = (service: string) =>
    revisionAt(index.configItemsByService.get(service)!.versions, at)?.version;
  const deploymentVersion = (d: Deployment) => {
    const pipeline = index.pipelinesById.get(d.pipelineId)!;
    if (d.tag) return d.ref.replace(/^v/, '');
    return pipeline.variables.find((v) => v.key === 'VERSION')?.value ?? d.sha.slice(0, 8);
  };
  /** controls.md "rollback": the commit ran there before, first deployed before the commit running just before it. */
  const rollbacks = (service: string) => {
    const prod = estate.deployments
      .filter((d) => d.service === service && audited(d))
      .sort((a, b) => (a.job.startedAt < b.job.startedAt ? -1 : 1));
    const first = new Map<string, string>();
    const out: Deployment[] = [];
    prod.forEach((d, i) => {
      const key = (sha: string) => `${d.environment}@${sha}`;
      const previous = prod
        .slice(0, i)
        .filter((p) => p.environment === d.environment)
        .pop();
      const firstAt = first.get(key(d.sha));
      if (previous && firstAt && firstAt < d.job.startedAt && firstAt < first.get(key(previous.sha))!)
        out.push(d);
      if (!first.has(key(d.sha))) first.set(key(d.sha), d.job.startedAt);
    });
    return out;
  };
  return {
    index,
    env,
    isProduction,
    audited,
    shipped,
    change,
    linked,
    jenkinsLinked,
    jenkinsAudited,
    jenkinsShipped,
    deployedSha,
    approvalsOf,
    highImpact,
    independentApprovers,
    ciVersion,
    deploymentVersion,
    rollbacks,
  };
}

describe('planted cases, as the data says (controls.md definitions)', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const t0 = estate.now;
  const read = reader(estate);
  const planted = (id: string) => {
    const p = estate.planted.find((c) => c.id === id);
    if (!p) throw new Error(`no planted case ${id}`);
    return p;
  };
  const deployment = (id: string): Deployment =>
    read.index.deploymentsById.get((planted(id).subject as { deploymentId: number }).deploymentId)!;
  const build = (id: string): CiBuild => {
    const s = planted(id).subject as { job: string; number: number };
    return estate.ciBuilds.find((b) => b.job === s.job && b.number === s.number)!;
  };
  const changeOf = (id: string) => read.change((planted(id).subject as { number: string }).number)!;
  const mergeRequest = (id: string) => {
    const s = planted(id).subject as { service: string; iid: number };
    return read.index.mergeRequest(s.service, s.iid)!;
  };
  const entitlement = (id: string) =>
    planted(id).subject as { system: string; holder: string; resource: string };
  const group = (name: string) => estate.groups.find((g) => g.name === name)!.members;
  const developer = (user: string) => group('Developers').includes(user);
  const breakGlass = (user: string) => group('SRE').includes(user) || estate.breakGlassUsers.includes(user);
  const person = (user: string) => estate.people.find((p) => p.userName === user);
  const start = (d: Deployment) => Date.parse(d.job.startedAt);

  it('RM-CHG-003: outside the window by 40 minutes; the near-miss 10 minutes past its end, inside the grace', () => {
    const outside = deployment('RM-CHG-003/outside-window');
    const [o] = read.linked(outside);
    expect(read.linked(outside)).toHaveLength(1);
    expect(o.c.type).toBe('normal');
    expect(start(outside) - Date.parse(o.c.plannedEnd!)).toBe(40 * 60_000);
    const inside = deployment('RM-CHG-003/inside-grace');
    const [i] = read.linked(inside);
    const late = start(inside) - Date.parse(i.c.plannedEnd!);
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThanOrEqual(15 * 60_000);
  });

  it("RM-CHG-004: the only linked change names another service's CI; the near-miss links a second that names its own", () => {
    const d = deployment('RM-CHG-004/names-another-ci');
    expect(read.linked(d).map(({ c }) => c.service)).toEqual(['identity-gateway']);
    const near = deployment('RM-CHG-004/second-change-names-ci');
    expect(
      read
        .linked(near)
        .map(({ c }) => c.service)
        .sort(),
    ).toEqual(['identity-gateway', 'ledger-service']);
  });

  it('RM-EMG-001: closed 96 h after, still open past 72 h; the near-miss closed at 70 h', () => {
    const firstFinish = (number: string) =>
      Math.min(
        ...estate.deployments
          .filter((d) => read.audited(d) && read.linked(d).some(({ c }) => c.number === number))
          .map((d) => Date.parse(d.finishedAt)),
      );
    const late = changeOf('RM-EMG-001/closed-late');
    expect(late.c.type).toBe('emergency');
    expect(Date.parse(late.r.closedAt!) - firstFinish(late.c.number)).toBe(96 * HOUR);
    const open = changeOf('RM-EMG-001/still-open');
    expect(open.r.state).toBe('review');
    expect(Date.parse(t0) - firstFinish(open.c.number)).toBeGreaterThan(72 * HOUR);
    const near = changeOf('RM-EMG-001/reviewed-in-time');
    expect(near.r.state).toBe('closed');
    expect(Date.parse(near.r.closedAt!) - firstFinish(near.c.number)).toBe(70 * HOUR);
  });

  it('RM-EMG-002: checkout-web above 20% of at least 5; kyc-service at 50% of fewer than 5', () => {
    const rate = (service: string, at: number) => {
      const counted = estate.deployments.filter(
        (d) =>
          d.service === service &&
          read.audited(d) &&
          start(d) >= at - 30 * DAY &&
          Date.parse(d.finishedAt) <= at,
      );
      const emergency = counted.filter((d) => read.linked(d).some(({ c }) => c.type === 'emergency'));
      return { total: counted.length, emergency: emergency.length };
    };
    const heavy = rate('checkout-web', Date.parse(t0));
    expect(heavy.total).toBeGreaterThanOrEqual(5);
    expect(heavy.emergency / heavy.total).toBeGreaterThan(0.2);
    const kyc = rate('kyc-service', Date.parse(t0));
    expect(kyc).toEqual({ total: 4, emergency: 2 });
    // The freeze keeps it so: kyc-service has had no other production deployment.
    expect(
      estate.deployments.filter((d) => d.service === 'kyc-service' && read.isProduction(d)),
    ).toHaveLength(4);
  });

  it('RM-SOD-001: requester approved the change, author approved the MR; near-misses: a not-required record, an author who only merged', () => {
    const self = changeOf('RM-SOD-001/change-self-approved');
    expect(read.approvalsOf(self.c.number)).toContainEqual({
      approver: self.c.requestedBy,
      state: 'approved',
    });
    const notRequired = changeOf('RM-SOD-001/requester-not-required');
    const approvals = read.approvalsOf(notRequired.c.number);
    expect(approvals).toContainEqual({ approver: notRequired.c.requestedBy, state: 'not_required' });
    expect(
      approvals.filter((a) => a.state === 'approved' && a.approver === notRequired.c.requestedBy),
    ).toEqual([]);
    const mr = mergeRequest('RM-SOD-001/mr-self-approved');
    expect(mr.approvedBy).toEqual([mr.authorUserName]);
    const merged = mergeRequest('RM-SOD-001/author-merged-own-mr');
    expect(merged.mergedByUserName).toBe(merged.authorUserName);
    expect(merged.approvedBy).not.toContain(merged.authorUserName);
    for (const m of [mr, merged]) {
      const shipping = estate.deployments.filter(
        (d) => read.audited(d) && d.service === m.service && d.mergeRequestIids.includes(m.iid),
      );
      expect(shipping.length).toBeGreaterThan(0);
    }
  });

  it('RM-SOD-002: high-impact with one independent approver (twice); near-misses: two across sources, a medium service', () => {
    const one = deployment('RM-SOD-002/deployer-approved-change');
    expect(read.highImpact(one.service)).toBe(true);
    expect(read.independentApprovers(one).size).toBe(1);
    const cmdb = deployment('RM-SOD-002/cmdb-critical-one-approver');
    expect(read.index.servicesByName.get(cmdb.service)!.criticality).toBe('medium');
    expect(read.highImpact(cmdb.service)).toBe(true);
    expect(read.independentApprovers(cmdb).size).toBe(1);
    const both = deployment('RM-SOD-002/change-and-environment-approver');
    expect(read.highImpact(both.service)).toBe(true);
    expect(read.independentApprovers(both).size).toBe(2);
    expect(both.approvals).toHaveLength(1);
    const medium = deployment('RM-SOD-002/not-high-impact');
    expect(read.highImpact(medium.service)).toBe(false);
    expect(read.independentApprovers(medium).size).toBe(1);
  });

  it('RM-SOD-003: the deployer authored a shipped MR; the near-miss deployer only approved and merged', () => {
    const own = deployment('RM-SOD-003/author-deployed');
    expect(read.shipped(own).map((m) => m.authorUserName)).toContain(own.triggeredBy);
    const near = deployment('RM-SOD-003/approver-deployed');
    expect(read.shipped(near).map((m) => m.authorUserName)).not.toContain(near.triggeredBy);
    expect(read.shipped(near).map((m) => m.mergedByUserName)).toContain(near.triggeredBy);
  });

  it('RM-PIPE-002: an unsigned MR commit and an unverified deployed commit shipped; near-misses verified_system, never shipped', () => {
    const commit = (id: string) => read.index.commitsBySha.get((planted(id).subject as { sha: string }).sha)!;
    const shippedShas = new Set(
      estate.deployments
        .filter(read.audited)
        .flatMap((d) => [d.sha, ...read.shipped(d).flatMap((m) => m.commitShas)]),
    );
    const unsigned = commit('RM-PIPE-002/unsigned-mr-commit');
    expect(unsigned.signature).toBeNull();
    expect(shippedShas.has(unsigned.sha)).toBe(true);
    const unverified = commit('RM-PIPE-002/unverified-deployed-commit');
    expect(unverified.signature?.status).toBe('unverified');
    expect(estate.deployments.some((d) => read.audited(d) && d.sha === unverified.sha)).toBe(true);
    const webFlow = commit('RM-PIPE-002/web-flow-merge-commit');
    expect(webFlow.signature?.status).toBe('verified_system');
    expect(shippedShas.has(webFlow.sha)).toBe(true);
    const never = commit('RM-PIPE-002/unsigned-never-shipped');
    expect(never.signature).toBeNull();
    expect(shippedShas.has(never.sha)).toBe(false);
  });

  it('RM-PIPE-003: merged with no approval of one required; the near-miss had two of two', () => {
    const none = mergeRequest('RM-PIPE-003/merged-without-approval');
    expect(none.approvedBy.length).toBeLessThan(Math.max(none.approvalsRequired, 1));
    const two = mergeRequest('RM-PIPE-003/two-of-two');
    expect(two.approvalsRequired).toBe(2);
    expect(two.approvedBy).toHaveLength(2);
    expect(two.approvedBy).not.toContain(two.authorUserName);
  });

  it('RM-QG-001: gate ERROR, no analysis; near-misses WARN, analysed after the deployment', () => {
    const of = (id: string) => {
      const d = deployment(id);
      return { d, analyses: estate.analyses.filter((a) => a.service === d.service && a.revision === d.sha) };
    };
    expect(of('RM-QG-001/gate-error').analyses.map((a) => a.status)).toEqual(['ERROR']);
    const missing = of('RM-QG-001/no-analysis');
    expect(missing.analyses).toEqual([]);
    expect(estate.analyses.some((a) => a.service === missing.d.service)).toBe(true);
    expect(of('RM-QG-001/gate-warn').analyses.map((a) => a.status)).toEqual(['WARN']);
    const after = of('RM-QG-001/analysed-after-deployment');
    expect(after.analyses.map((a) => a.status)).toEqual(['OK']);
    expect(after.analyses[0].at > after.d.job.startedAt).toBe(true);
    expect(after.analyses[0].at <= t0).toBe(true);
  });

  it('RM-EVD-001: a pipeline and a Jenkins deploy build without tests; the near-miss archived failing tests', () => {
    const pipeline = (d: Deployment) => read.index.pipelinesById.get(d.pipelineId)!;
    expect(pipeline(deployment('RM-EVD-001/no-test-report')).testReport).toBeNull();
    expect(pipeline(deployment('RM-EVD-001/failing-tests-archived')).testReport).toMatchObject({ failed: 2 });
    const jenkins = build('RM-EVD-001/jenkins-no-junit');
    expect(jenkins).toMatchObject({ environment: 'production', result: 'SUCCESS', testReport: null });
  });

  it('RM-RBK-001: four rollbacks of payments-api in 30 days; three of notifications-worker, its redeploy not one', () => {
    const payments = read.rollbacks('payments-api').filter((d) => start(d) >= Date.parse(t0) - 30 * DAY);
    expect(payments).toHaveLength(4);
    const notifications = read.rollbacks('notifications-worker');
    expect(notifications).toHaveLength(3);
    const redeploy = deployment('RM-RBK-001/redeploy-of-running-commit');
    expect(notifications.map((d) => d.id)).not.toContain(redeploy.id);
    const before = estate.deployments
      .filter(
        (d) => d.service === redeploy.service && read.audited(d) && d.job.startedAt < redeploy.job.startedAt,
      )
      .pop()!;
    expect(before.sha).toBe(redeploy.sha);
    expect(redeploy.mergeRequestIids).toEqual([]);
  });

  it('RM-INV-001: the CMDB lags the latest production version; the near-miss records the tag without its "v"', () => {
    const latest = (service: string) =>
      estate.deployments
        .filter((d) => d.service === service && read.audited(d))
        .sort((a, b) => (a.job.startedAt < b.job.startedAt ? -1 : 1))
        .pop()!;
    const ledger = latest('ledger-service');
    expect(read.ciVersion('ledger-service')).not.toBe(read.deploymentVersion(ledger));
    const near = planted('RM-INV-001/tag-with-leading-v');
    const tagged = estate.deployments.find(
      (d) => d.service === 'identity-gateway' && d.finishedAt === near.phases[0].from,
    )!;
    expect(tagged.tag).toBe(true);
    expect(tagged.ref).toBe(`v${tagged.version}`);
    const ci = read.index.configItemsByService.get('identity-gateway')!;
    expect(revisionAt(ci.versions, tagged.finishedAt)?.version).toBe(tagged.ref.slice(1));
    expect(read.ciVersion('identity-gateway')).toBe(read.deploymentVersion(latest('identity-gateway')));
  });

  it('RM-INV-002: a deployed service whose only CMDB item is retired; the near-miss is deployed nowhere', () => {
    const reporting = estate.configItems.filter((ci) => ci.service === 'reporting-batch');
    expect(reporting.map((ci) => ci.installStatus)).toEqual(['retired']);
    expect(estate.deployments.some((d) => d.service === 'reporting-batch' && read.audited(d))).toBe(true);
    expect(
      estate.configItems.filter((ci) => ci.service === 'legacy-billing').map((ci) => ci.installStatus),
    ).toEqual(['retired']);
    expect(estate.deployments.some((d) => d.service === 'legacy-billing')).toBe(false);
  });

  it('RM-PIPE-001, RM-ART-001: a replayed deploy build, jars never built or replaced; near-misses an upstream start, an earlier build redeployed', () => {
    const replay = build('RM-PIPE-001/jenkins-replay');
    expect(replay.causes.map((c) => c.type)).toContain('replay');
    expect(replay).toMatchObject({ environment: 'production', result: 'SUCCESS' });
    const upstream = build('RM-PIPE-001/started-by-upstream');
    expect(upstream.causes.map((c) => c.type)).toEqual(['upstream']);

    const never = build('RM-ART-001/never-built-by-ci');
    expect(never.fingerprints[0].original).toEqual({ job: never.job, number: never.number });
    const replaced = build('RM-ART-001/artifact-replaced');
    expect(replaced.fingerprints[0].original).toBeNull();
    const cause = replaced.causes.find((c) => c.type === 'upstream') as { job: string; number: number };
    const producer = estate.ciBuilds.find((b) => b.job === cause.job && b.number === cause.number)!;
    expect(producer.fingerprints[0].fileName).toBe(replaced.fingerprints[0].fileName);
    expect(producer.fingerprints[0].md5).not.toBe(replaced.fingerprints[0].md5);

    const redeploy = build('RM-ART-001/redeploy-of-earlier-build');
    const original = redeploy.fingerprints[0].original!;
    const made = estate.ciBuilds.find((b) => b.job === original.job && b.number === original.number)!;
    expect(made.job).toMatch(/-build$/);
    expect(made.fingerprints[0].md5).toBe(redeploy.fingerprints[0].md5);
    for (const b of [replay, upstream, never, replaced, redeploy]) {
      const [linked] = read.jenkinsLinked(b);
      expect(linked.r.approval).toBe('approved');
    }
  });

  it('Jenkins deploy builds ship the MRs of their range in GitLab: an unsigned MR commit; a change named only in a shipped MR', () => {
    const unsigned = planted('RM-PIPE-002/jenkins-unsigned-mr-commit');
    const sha = (unsigned.subject as { sha: string }).sha;
    expect(read.index.commitsBySha.get(sha)!.signature).toBeNull();
    const shipping = estate.ciBuilds
      .filter(read.jenkinsAudited)
      .filter((b) => read.jenkinsShipped(b).some((m) => m.commitShas.includes(sha)));
    expect(shipping).toHaveLength(1);
    const viaMr = build('RM-CHG-001/jenkins-change-in-shipped-mr');
    expect(viaMr.parameters.flatMap((p) => String(p.value).match(CHG) ?? [])).toEqual([]);
    const [linked] = read.jenkinsLinked(viaMr);
    expect(read.jenkinsShipped(viaMr)[0].title).toContain(linked.c.number);
    expect(linked.r.approval).toBe('approved');
  });

  it('RM-ACC-001: developers in a production safe and a production policy; the near-miss is break-glass and unexpired', () => {
    const safe = entitlement('RM-ACC-001/developer-in-production-safe');
    expect(safe.resource).toMatch(PRODUCTION_SAFE);
    expect(developer(safe.holder)).toBe(true);
    expect(breakGlass(safe.holder)).toBe(false);
    const policy = entitlement('RM-ACC-001/developer-vault-oncall');
    const entity = estate.access.entities.find((e) => e.name === policy.holder)!;
    const viaGroup = estate.access.groups.find(
      (g) => g.memberEntityIds.includes(entity.id) && g.policies.includes(policy.resource),
    );
    expect(viaGroup?.name).toBe('storefront-oncall');
    expect(policy.resource).toMatch(PRODUCTION_POLICY);
    expect(developer(policy.holder)).toBe(true);
    const near = entitlement('RM-ACC-001/break-glass-unexpired');
    const member = estate.access.safeMembers.find(
      (m) => m.memberName === near.holder && m.safe === near.resource,
    )!;
    expect(developer(near.holder) && breakGlass(near.holder)).toBe(true);
    expect(member.expiresAt! > t0).toBe(true);
  });

  it('RM-ACC-002: a leaver and an unknown holder; near-misses resolved through an alias, an unknown svc- account', () => {
    expect(person(entitlement('RM-ACC-002/leaver-vault-entity').holder)?.active).toBe(false);
    expect(person(entitlement('RM-ACC-002/unknown-holder').holder)).toBeUndefined();
    const aliased = entitlement('RM-ACC-002/entity-resolved-by-alias');
    expect(person(aliased.holder)).toBeUndefined();
    const entity = estate.access.entities.find((e) => e.name === aliased.holder)!;
    expect(person(entity.aliases[0].name)?.active).toBe(true);
    const svc = entitlement('RM-ACC-002/unknown-service-account');
    expect(person(svc.holder)).toBeUndefined();
    expect(svc.holder).toMatch(SERVICE_ACCOUNT);
  });

  it('RM-ACC-003: standing production safes; near-misses break-glass, just in time, predefined', () => {
    const member = (id: string) => {
      const e = entitlement(id);
      return estate.access.safeMembers.find((m) => m.memberName === e.holder && m.safe === e.resource)!;
    };
    for (const id of ['RM-ACC-003/release-manager-standing', 'RM-ACC-003/excepted-standing']) {
      const m = member(id);
      expect(m.safe).toMatch(PRODUCTION_SAFE);
      expect(m.expiresAt).toBeNull();
      expect(breakGlass(m.memberName) || SERVICE_ACCOUNT.test(m.memberName)).toBe(false);
    }
    const exception = estate.exceptions.find((e) => e.caseId === 'RM-ACC-003/excepted-standing')!;
    expect(exception.approvedBy).not.toBe(exception.requestedBy);
    expect(`${exception.expires}T23:59:59Z` > t0).toBe(true);
    expect(breakGlass(member('RM-ACC-003/break-glass-standing').memberName)).toBe(true);
    expect(member('RM-ACC-003/just-in-time-grant').expiresAt).not.toBeNull();
    expect(member('RM-ACC-003/predefined-member').predefined).toBe(true);
  });
});

describe('the routine around the planted cases, read by the simple definitions', () => {
  for (const [seed, scale] of [
    [42, 1],
    [7, 2],
  ]) {
    const estate = generateEstate({ seed, scale, now: NOW });
    const read = reader(estate);
    const expected = (control: string) =>
      expectedFindings(estate)
        .filter((f) => f.controlId === control)
        .map((f) => f.subjectRef)
        .sort();
    const ref = (d: Deployment) => `gitlab:${read.index.servicesByName.get(d.service)!.gitlabPath}#${d.id}`;
    const production = estate.deployments.filter(read.audited);

    it(`seed ${seed} scale ${scale}: RM-EVD-001, RM-QG-001 and RM-SOD-002 flag the planted deployments only`, () => {
      const noTests = production.filter(
        (d) => read.index.pipelinesById.get(d.pipelineId)!.testReport === null,
      );
      expect(noTests.map(ref).sort()).toEqual(expected('RM-EVD-001').filter((r) => r.startsWith('gitlab:')));
      const gate = production.filter((d) => {
        const analyses = estate.analyses.filter(
          (a) => a.service === d.service && a.revision === d.sha && a.at <= estate.now,
        );
        return analyses.length === 0 || analyses.some((a) => a.status === 'ERROR');
      });
      expect(gate.map(ref).sort()).toEqual(expected('RM-QG-001'));
      const dual = production.filter(
        (d) => read.highImpact(d.service) && read.independentApprovers(d).size < 2,
      );
      expect(dual.map(ref).sort()).toEqual(expected('RM-SOD-002'));
    });

    it(`seed ${seed} scale ${scale}: RM-PIPE-002, RM-PIPE-003 and RM-SOD-003 flag the planted subjects only`, () => {
      const signatures = new Set<string>();
      const approvals = new Set<string>();
      const own: string[] = [];
      for (const d of production) {
        const service = read.index.servicesByName.get(d.service)!;
        const shas = [d.sha, ...read.shipped(d).flatMap((m) => m.commitShas)];
        for (const sha of shas) {
          const status = read.index.commitsBySha.get(sha)!.signature?.status;
          if (status !== 'verified' && status !== 'verified_system')
            signatures.add(`gitlab:${service.gitlabPath}@${sha}`);
        }
        for (const m of read.shipped(d)) {
          if (m.approvedBy.length < Math.max(1, m.approvalsRequired))
            approvals.add(`gitlab:${service.gitlabPath}!${m.iid}`);
        }
        if (read.shipped(d).some((m) => m.authorUserName === d.triggeredBy)) own.push(ref(d));
      }
      for (const b of estate.ciBuilds.filter(read.jenkinsAudited)) {
        const service = read.index.servicesByName.get(b.service!)!;
        const shipped = read.jenkinsShipped(b);
        for (const sha of [read.deployedSha(b), ...shipped.flatMap((m) => m.commitShas)]) {
          const status = read.index.commitsBySha.get(sha)!.signature?.status;
          if (status !== 'verified' && status !== 'verified_system')
            signatures.add(`gitlab:${service.gitlabPath}@${sha}`);
        }
        for (const m of shipped) {
          if (m.approvedBy.length < Math.max(1, m.approvalsRequired))
            approvals.add(`gitlab:${service.gitlabPath}!${m.iid}`);
        }
      }
      expect([...signatures].sort()).toEqual(expected('RM-PIPE-002'));
      expect([...approvals].sort()).toEqual(expected('RM-PIPE-003'));
      expect(own.sort()).toEqual(expected('RM-SOD-003'));
    });

    it(`seed ${seed} scale ${scale}: every CMDB item of a deployed service records its latest production version`, () => {
      const drifted = estate.services
        .filter((s) => !s.archived && s.deployVia === 'gitlab')
        .filter((s) => {
          const latest = production
            .filter((d) => d.service === s.name)
            .sort((a, b) => (a.job.startedAt < b.job.startedAt ? -1 : 1))
            .pop();
          const ci = read.index.configItemsByService.get(s.name)!;
          return (
            latest &&
            ci.installStatus === 'installed' &&
            read.ciVersion(s.name) !== read.deploymentVersion(latest)
          );
        })
        .map((s) => `${s.name}@production`);
      expect(drifted.sort()).toEqual(expected('RM-INV-001'));
    });
  }
});
