import { DAY, HOUR, MINUTE, revisionAt } from './estate.clock';
import { advanceEstate, generateEstate } from './estate.generator';
import { EstateIndex } from './estate.index';
import { expectedFindings, manifestDocument, plantedCases } from './estate.manifest';
import type { Deployment, Estate, Instant, PlantedCase } from './estate.model';
import { LATE_CHANGE, MISSING_CHANGE, REOPEN_AFTER, RESOLVE_AFTER } from './planted.scenarios';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const CHG = /\bCHG\d{7}\b/g;

/** Where a deployment's CHG numbers come from, read straight off the estate (no fake, no hub). */
function references(estate: Estate, d: Deployment) {
  const index = EstateIndex.of(estate);
  const pipeline = index.pipelinesById.get(d.pipelineId)!;
  const mrs = d.mergeRequestIids.map((iid) => index.mergeRequest(d.service, iid)!);
  const found = (text: string): string[] => Array.from(text.matchAll(CHG), (m) => m[0]);
  return {
    variables: pipeline.variables.flatMap((v) => found(v.value)),
    commit: found(index.commitsBySha.get(d.sha)!.message),
    mrTitles: mrs.flatMap((m) => found(m.title)),
    mrDescriptions: mrs.flatMap((m) => found(m.description)),
  };
}

function allReferences(estate: Estate, d: Deployment): string[] {
  const r = references(estate, d);
  return [...new Set([...r.variables, ...r.commit, ...r.mrTitles, ...r.mrDescriptions])];
}

/**
 * A reference reading of RM-CHG-001 and RM-CHG-002 over the raw estate, used only to check that the
 * routine estate around the planted cases is clean: the manifest itself never evaluates controls.
 */
function referenceFindings(estate: Estate, at: Instant): string[] {
  const index = EstateIndex.of(estate);
  const out: string[] = [];
  for (const d of estate.deployments) {
    const env = index.environmentsById.get(d.environmentId)!;
    if (env.tier !== 'production' || d.status !== 'success' || d.finishedAt > at) continue;
    const ref = `gitlab:${index.servicesByName.get(d.service)!.gitlabPath}#${d.id}`;
    const linked = allReferences(estate, d)
      .map((n) => index.changesByNumber.get(n))
      .filter((c) => c !== undefined && c.createdAt <= at && !c.confidential);
    if (linked.length === 0) {
      out.push(`RM-CHG-001|${ref}`);
      continue;
    }
    const unapproved = linked.some((c) => {
      if (c!.type === 'standard') return false;
      const r = revisionAt(c!.revisions, at)!;
      const open = ['new', 'assess', 'authorize', 'canceled'].includes(r.state);
      return r.approval !== 'approved' || !r.approvalSetAt || r.approvalSetAt > d.job.startedAt || open;
    });
    if (unapproved) out.push(`RM-CHG-002|${ref}`);
  }
  return out.sort();
}

/** The expected findings of the two controls `referenceFindings` reads. */
function keys(estate: Estate, at: Date | Instant = estate.now): string[] {
  return expectedFindings(estate, undefined, at)
    .filter((f) => f.controlId === 'RM-CHG-001' || f.controlId === 'RM-CHG-002')
    .map((f) => `${f.controlId}|${f.subjectRef}`)
    .sort();
}

function caseDeployment(estate: Estate, id: string): { planted: PlantedCase; d: Deployment } {
  const planted = estate.planted.find((p) => p.id === id);
  if (!planted) throw new Error(`no planted case ${id}`);
  return {
    planted,
    d: EstateIndex.of(estate).deploymentsById.get(
      (planted.subject as { deploymentId: number }).deploymentId,
    )!,
  };
}

function change(estate: Estate, number: string, at: Instant) {
  const c = EstateIndex.of(estate).changesByNumber.get(number);
  if (!c || c.createdAt > at) return undefined;
  return { change: c, revision: revisionAt(c.revisions, at)! };
}

describe('expectedFindings', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const t0 = estate.now;

  it('lists a planted violation for every control of the catalog, with subject refs per interfaces.md', () => {
    const findings = expectedFindings(estate);
    expect([...new Set(findings.map((f) => f.controlId))].sort()).toEqual(
      [
        'RM-ACC-001',
        'RM-ACC-002',
        'RM-ACC-003',
        'RM-ART-001',
        'RM-CHG-001',
        'RM-CHG-002',
        'RM-CHG-003',
        'RM-CHG-004',
        'RM-EMG-001',
        'RM-EMG-002',
        'RM-EVD-001',
        'RM-INV-001',
        'RM-INV-002',
        'RM-PIPE-001',
        'RM-PIPE-002',
        'RM-PIPE-003',
        'RM-QG-001',
        'RM-RBK-001',
        'RM-SOD-001',
        'RM-SOD-002',
        'RM-SOD-003',
      ].sort(),
    );
    expect(findings.filter((f) => f.controlId === 'RM-CHG-001')).toHaveLength(4);
    expect(findings.filter((f) => f.controlId === 'RM-CHG-002')).toHaveLength(5);
    const formats = [
      /^gitlab:acme\/[a-z-]+#\d+$/,
      /^jenkins:finance\/settlement-engine-deploy#\d+$/,
      /^servicenow:CHG\d{7}$/,
      /^gitlab:acme\/[a-z-]+![0-9]+$/,
      /^gitlab:acme\/[a-z-]+@[0-9a-f]{40}$/,
      /^(vault|cyberark):[^:]+:[^:]+$/,
      /^[a-z-]+@production$/,
    ];
    for (const f of findings) {
      expect(formats.some((format) => format.test(f.subjectRef))).toBe(true);
      expect(f.note.length).toBeGreaterThan(20);
    }
    const { d } = caseDeployment(estate, 'RM-CHG-001/no-reference');
    expect(findings.map((f) => f.subjectRef)).toContain(`gitlab:acme/payments-api#${d.id}`);
    // One finding is covered by the config's exception: the reconcile reports it accepted.
    expect(findings.filter((f) => f.status === 'accepted')).toEqual([
      expect.objectContaining({
        controlId: 'RM-ACC-003',
        subjectRef: expect.stringMatching(/^cyberark:.+:PROD-Finance$/),
      }),
    ]);
  });

  it('uses the connector ids it is given', () => {
    const ids = { gitlab: 'gl-prod', servicenow: 'snow', jenkins: 'ci', vault: 'secrets', cyberark: 'pam' };
    const refs = expectedFindings(estate, ids).map((f) => f.subjectRef);
    expect(
      refs.filter((r) => !r.endsWith('@production')).every((r) => /^(gl-prod|snow|ci|secrets|pam):/.test(r)),
    ).toBe(true);
    expect(refs.some((r) => r.startsWith('ci:finance/'))).toBe(true);
    expect(refs.some((r) => r.startsWith('pam:'))).toBe(true);
    expect(refs.some((r) => r.startsWith('secrets:'))).toBe(true);
  });

  it('records near-misses beside the violations, none of them flagged at generation', () => {
    const cases = plantedCases(estate);
    const nearMisses = cases.filter((c) => c.kind === 'near-miss');
    expect(nearMisses.map((c) => c.caseId).sort()).toEqual([
      'RM-ACC-001/break-glass-unexpired',
      'RM-ACC-002/entity-resolved-by-alias',
      'RM-ACC-002/unknown-service-account',
      'RM-ACC-003/break-glass-standing',
      'RM-ACC-003/just-in-time-grant',
      'RM-ACC-003/predefined-member',
      'RM-ART-001/redeploy-of-earlier-build',
      'RM-CHG-001/failed-no-change',
      'RM-CHG-001/jenkins-change-in-shipped-mr',
      'RM-CHG-001/staging-no-change',
      'RM-CHG-001/tier-other-no-change',
      'RM-CHG-001/via-commit-only',
      'RM-CHG-001/via-mr-description-only',
      'RM-CHG-001/via-variable-only',
      'RM-CHG-002/approved-1-minute-before',
      'RM-CHG-002/standard-not-requested',
      'RM-CHG-002/two-changes-both-approved',
      'RM-CHG-003/inside-grace',
      'RM-CHG-004/second-change-names-ci',
      'RM-EMG-001/reviewed-in-time',
      'RM-EMG-002/below-minimum',
      'RM-EVD-001/failing-tests-archived',
      'RM-INV-001/tag-with-leading-v',
      'RM-INV-002/retired-not-deployed',
      'RM-PIPE-001/started-by-upstream',
      'RM-PIPE-002/unsigned-never-shipped',
      'RM-PIPE-002/web-flow-merge-commit',
      'RM-PIPE-003/two-of-two',
      'RM-QG-001/analysed-after-deployment',
      'RM-QG-001/gate-warn',
      'RM-RBK-001/redeploy-of-running-commit',
      'RM-RBK-001/three-rollbacks',
      'RM-SOD-001/author-merged-own-mr',
      'RM-SOD-001/requester-not-required',
      'RM-SOD-002/change-and-environment-approver',
      'RM-SOD-002/not-high-impact',
      'RM-SOD-003/approver-deployed',
    ]);
    expect(nearMisses.every((c) => !c.flagged && c.note.length > 20)).toBe(true);
    // Every control has at least one violation and one near-miss.
    const controls = new Set(cases.map((c) => c.controlId));
    for (const control of controls) {
      expect(cases.some((c) => c.controlId === control && c.kind === 'violation')).toBe(true);
      expect(cases.some((c) => c.controlId === control && c.kind === 'near-miss')).toBe(true);
    }
  });

  it('keeps every phase list in time order, and writes the manifest document from it', () => {
    for (const p of estate.planted) {
      const froms = p.phases.map((x) => x.from);
      expect([...froms].sort()).toEqual(froms);
    }
    const doc = manifestDocument(estate);
    expect(doc.expectedFindings).toEqual(expectedFindings(estate));
    expect(doc.plantedCases).toHaveLength(estate.planted.length);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('says when an accepted finding stops being accepted: the exception expires', () => {
    const excepted = estate.planted.find((p) => p.id === 'RM-ACC-003/excepted-standing')!;
    const after = new Date(Date.parse(excepted.acceptedUntil!) + 1).toISOString();
    const finding = (at: string) =>
      expectedFindings(estate, undefined, at).find((f) => f.subjectRef.endsWith(':PROD-Finance'));
    expect(finding(estate.now)?.status).toBe('accepted');
    expect(finding(after)?.status).toBeUndefined();
  });

  it('matches a reference reading of both controls over the whole estate at generation time', () => {
    expect(referenceFindings(estate, t0)).toEqual(keys(estate));
  });

  it('resolves one RM-CHG-001 and one RM-CHG-002 finding after 6 h and reopens the latter after 30 h', () => {
    const grown = generateEstate({ seed: 42, scale: 1, now: NOW });
    const late = caseDeployment(grown, 'RM-CHG-001/change-created-later');
    const lifecycle = caseDeployment(grown, 'RM-CHG-002/authorize-then-canceled');
    const ref = (d: Deployment) =>
      `gitlab:${grown.services.find((s) => s.name === d.service)!.gitlabPath}#${d.id}`;
    const atT0 = keys(grown);
    expect(atT0).toEqual(
      expect.arrayContaining([`RM-CHG-001|${ref(late.d)}`, `RM-CHG-002|${ref(lifecycle.d)}`]),
    );

    advanceEstate(grown, new Date(NOW.getTime() + DAY));
    const atT1 = keys(grown);
    expect(atT1).not.toContain(`RM-CHG-001|${ref(late.d)}`);
    expect(atT1).not.toContain(`RM-CHG-002|${ref(lifecycle.d)}`);
    expect(atT1).toHaveLength(atT0.length - 2);
    expect(expectedFindings(grown)).toHaveLength(
      expectedFindings(generateEstate({ seed: 42, scale: 1, now: NOW })).length - 2,
    );
    expect(referenceFindings(grown, grown.now)).toEqual(atT1);

    advanceEstate(grown, new Date(NOW.getTime() + 2 * DAY));
    const atT2 = keys(grown);
    expect(atT2).toContain(`RM-CHG-002|${ref(lifecycle.d)}`);
    expect(atT2).toHaveLength(atT0.length - 1);
    expect(referenceFindings(grown, grown.now)).toEqual(atT2);
  });

  it('stays exact after weeks of routine activity for other seeds and scales', () => {
    for (const [seed, scale] of [
      [1, 1],
      [99, 2],
      [2024, 3],
    ]) {
      const e = generateEstate({ seed, scale, now: NOW });
      expect(referenceFindings(e, e.now)).toEqual(keys(e));
      advanceEstate(e, new Date(NOW.getTime() + 21 * DAY));
      expect(referenceFindings(e, e.now)).toEqual(keys(e));
    }
  });
});

describe('planted cases, as the data says', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const t0 = estate.now;
  const env = (d: Deployment) => EstateIndex.of(estate).environmentsById.get(d.environmentId)!;

  it('RM-CHG-001/no-reference: no CHG in variables, commit or MRs, and the deployment succeeded in production', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-001/no-reference');
    expect(d.status).toBe('success');
    expect(env(d).tier).toBe('production');
    expect(d.mergeRequestIids.length).toBeGreaterThan(0);
    expect(references(estate, d)).toEqual({ variables: [], commit: [], mrTitles: [], mrDescriptions: [] });
  });

  it('RM-CHG-001/unknown-change: its only reference never exists in ServiceNow', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-001/unknown-change');
    expect(allReferences(estate, d)).toEqual([MISSING_CHANGE]);
    expect(estate.changes.some((c) => c.number === MISSING_CHANGE)).toBe(false);
  });

  it('RM-CHG-001/change-created-later: the change appears 6 h after generation, as a standard change', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-001/change-created-later');
    expect(allReferences(estate, d)).toEqual([LATE_CHANGE]);
    expect(change(estate, LATE_CHANGE, t0)).toBeUndefined();
    const later = change(estate, LATE_CHANGE, new Date(Date.parse(t0) + RESOLVE_AFTER).toISOString());
    expect(later?.change.type).toBe('standard');
  });

  it('RM-CHG-001/live-no-change: environment `live` with tier production, no reference', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-001/live-no-change');
    expect(env(d)).toMatchObject({ name: 'live', tier: 'production' });
    expect(d.status).toBe('success');
    expect(allReferences(estate, d)).toEqual([]);
  });

  it('the three single-channel near-misses link an approved change through exactly one channel', () => {
    const only = (id: string, channel: 'variables' | 'commit' | 'mrDescriptions') => {
      const { d } = caseDeployment(estate, id);
      const r = references(estate, d);
      expect(r[channel]).toHaveLength(1);
      const others = Object.entries(r).filter(([k]) => k !== channel);
      expect(others.every(([, v]) => v.length === 0)).toBe(true);
      const c = change(estate, r[channel][0], t0)!;
      expect(c.change.type).toBe('normal');
      expect(c.revision.approval).toBe('approved');
      expect(c.revision.approvalSetAt! < d.job.startedAt).toBe(true);
    };
    only('RM-CHG-001/via-variable-only', 'variables');
    only('RM-CHG-001/via-commit-only', 'commit');
    only('RM-CHG-001/via-mr-description-only', 'mrDescriptions');
  });

  it('RM-CHG-001 near-misses outside the audited population: failed, staging, tier other', () => {
    const failed = caseDeployment(estate, 'RM-CHG-001/failed-no-change').d;
    expect(failed.status).toBe('failed');
    expect(env(failed).tier).toBe('production');
    expect(allReferences(estate, failed)).toEqual([]);
    const staging = caseDeployment(estate, 'RM-CHG-001/staging-no-change').d;
    expect(env(staging).tier).toBe('staging');
    expect(allReferences(estate, staging)).toEqual([]);
    const sandbox = caseDeployment(estate, 'RM-CHG-001/tier-other-no-change').d;
    expect(env(sandbox)).toMatchObject({ name: 'prod-sandbox', tier: 'other' });
    expect(sandbox.status).toBe('success');
    expect(allReferences(estate, sandbox)).toEqual([]);
  });

  it('RM-CHG-002 violations: approved after start, Assess, canceled, rejected', () => {
    const linked = (id: string) => {
      const { d } = caseDeployment(estate, id);
      const refs = allReferences(estate, d);
      expect(refs).toHaveLength(1);
      return { d, c: change(estate, refs[0], t0)! };
    };
    const late = linked('RM-CHG-002/approved-after-start');
    expect(Date.parse(late.c.revision.approvalSetAt!) - Date.parse(late.d.job.startedAt)).toBe(HOUR);
    expect(late.c.revision.approval).toBe('approved');

    const assess = linked('RM-CHG-002/approved-but-assess');
    expect(assess.c.revision).toMatchObject({ approval: 'approved', state: 'assess' });
    expect(assess.c.revision.approvalSetAt! < assess.d.job.startedAt).toBe(true);

    const canceled = linked('RM-CHG-002/canceled');
    expect(canceled.c.revision).toMatchObject({ approval: 'approved', state: 'canceled' });

    const rejected = linked('RM-CHG-002/rejected');
    expect(rejected.c.revision.approval).toBe('rejected');
    expect(rejected.c.change.type).toBe('normal');
  });

  it('RM-CHG-002/authorize-then-canceled: Authorize at generation, Review after 6 h, Canceled after 30 h', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-002/authorize-then-canceled');
    const [number] = allReferences(estate, d);
    const at = (offset: number) =>
      change(estate, number, new Date(Date.parse(t0) + offset).toISOString())!.revision;
    expect(at(0)).toMatchObject({ state: 'authorize', approval: 'approved' });
    expect(at(RESOLVE_AFTER)).toMatchObject({ state: 'review', approval: 'approved' });
    expect(at(REOPEN_AFTER)).toMatchObject({ state: 'canceled' });
  });

  it('RM-CHG-002 near-misses: 1 minute before start, standard not requested, two approved changes', () => {
    const { d } = caseDeployment(estate, 'RM-CHG-002/approved-1-minute-before');
    const [number] = allReferences(estate, d);
    const c = change(estate, number, t0)!;
    expect(Date.parse(d.job.startedAt) - Date.parse(c.revision.approvalSetAt!)).toBe(MINUTE);
    // The deployment record predates the approval: only the job's start is the deployment's start.
    expect(d.createdAt < c.revision.approvalSetAt!).toBe(true);

    const standard = caseDeployment(estate, 'RM-CHG-002/standard-not-requested').d;
    const s = change(estate, allReferences(estate, standard)[0], t0)!;
    expect(s.change.type).toBe('standard');
    expect(s.revision.approval).toBe('not_requested');

    const two = caseDeployment(estate, 'RM-CHG-002/two-changes-both-approved').d;
    const both = allReferences(estate, two).map((n) => change(estate, n, t0)!);
    expect(both).toHaveLength(2);
    for (const x of both) {
      expect(x.revision).toMatchObject({ approval: 'approved', state: 'closed' });
      expect(x.revision.approvalSetAt! < two.job.startedAt).toBe(true);
    }
  });
});
