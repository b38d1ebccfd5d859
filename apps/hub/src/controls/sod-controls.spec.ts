/**
 * Segregation of duties (RM-SOD-001/002/003) and artifact integrity (RM-ART-001): violations, near
 * misses and undecided subjects, on SQLite and PostgreSQL, with people resolved across systems.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import { DB_KINDS } from '../../../../test/support/database';
import { DerivedModelService } from '../identities';
import {
  change,
  ControlHarness,
  deployment,
  flagged,
  mergeRequest,
  shipped,
  at,
} from './testing/control-fixtures';
import { SelfApprovalControl } from './self-approval.control';
import { DualControlControl } from './dual-control.control';
import { AuthorDeployedControl } from './author-deployed.control';
import { ArtifactIntegrityControl } from './artifact-integrity.control';
import type { AppConfig } from '../config/config.schema';

const identity = (userName: string, email: string, active = true): NormalizedRecord => ({
  kind: 'identity',
  externalId: userName,
  data: { userName, email, name: userName, active },
});

const approval = (id: string, change: string, approver: string, state = 'approved'): NormalizedRecord => ({
  kind: 'change-approval',
  externalId: id,
  data: { change, approver, state: state as any, decidedAt: at(-90) },
});

const config: Partial<AppConfig> = {
  identities: {
    sources: ['servicenow'],
    aliases: { 'jane.doe@acme.com': ['jdoe'] },
    serviceAccountPattern: '^svc[-_]',
  },
  services: [{ name: 'pay', criticality: 'high', personalData: false, keys: { gitlab: 'acme/pay' } }],
};

describe.each(DB_KINDS)('segregation of duties on %s', (kind) => {
  let h: ControlHarness;
  const rebuild = () => new DerivedModelService(h.config, h.ds).rebuild();

  beforeEach(async () => {
    h = await ControlHarness.create(kind, config);
    await h.ingest('servicenow', [
      identity('jane.doe', 'jane.doe@acme.com'),
      identity('bob', 'bob@acme.com'),
      identity('carol', 'carol@acme.com'),
      identity('dave', 'dave@acme.com'),
    ]);
  });
  afterEach(() => h.close());

  it('RM-SOD-001 flags a change approved by its requester and an MR approved by its author under another name', async () => {
    await h.ingest('gitlab', [
      deployment(1, { variables: { A: 'CHG0000001', B: 'CHG0000002' } }),
      deployment(2, { variables: { A: 'CHG0000003' }, environment: 'staging', tier: 'staging' }),
      mergeRequest('acme/pay', 1, { author: 'jdoe', approvedBy: ['jane.doe'] }), // same person via alias
      mergeRequest('acme/pay', 2, { author: 'bob', approvedBy: ['jane.doe'] }),
      mergeRequest('acme/pay', 3, { author: 'bob', approvedBy: null }),
      shipped(1, 'acme/pay', 1),
      shipped(1, 'acme/pay', 2),
      shipped(1, 'acme/pay', 3),
    ]);
    await h.ingest('servicenow', [
      change('CHG0000001', { requestedBy: 'jane.doe' }),
      change('CHG0000002', { requestedBy: 'jane.doe' }),
      change('CHG0000003', { requestedBy: 'bob' }), // only deployed to staging
      approval('a1', 'CHG0000001', 'jane.doe'),
      approval('a2', 'CHG0000002', 'bob'),
      approval('a3', 'CHG0000002', 'jane.doe', 'rejected'), // a rejection is not an approval
      approval('a4', 'CHG0000003', 'bob'),
    ]);
    await rebuild();
    const out = await h.evaluate(new SelfApprovalControl());
    expect(flagged(out)).toEqual(['gitlab:acme/pay!1', 'servicenow:CHG0000001']);
    expect(out.undecided.map((u) => u.subjectRef)).toEqual(['gitlab:acme/pay!3']);
    expect(out.flags.find((f) => f.subjectType === 'merge_request')!.reason).toBe(
      'Merge request !1 in acme/pay was authored by jdoe and approved by jane.doe — the same person — and shipped to production.',
    );
  });

  it('RM-SOD-002 counts independent people over change and deployment approvals on high-impact services', async () => {
    await h.ingest('gitlab', [
      // two independent approvers: carol (change) and dave (deployment approval)
      deployment(1, {
        variables: { C: 'CHG0000001' },
        triggeredBy: 'bob',
        approvals: [{ user: 'dave', status: 'approved' }],
      }),
      // the only approvers are the deployer and the MR author: none count
      deployment(2, {
        variables: { C: 'CHG0000002' },
        triggeredBy: 'bob',
        approvals: [{ user: 'jdoe', status: 'approved' }],
      }),
      // not high-impact: not subject
      deployment(3, {
        project: 'acme/blog',
        variables: { C: 'CHG0000002' },
        triggeredBy: 'bob',
        approvals: [],
      }),
      // deployment approvals unknown and too few from changes: undecided
      deployment(4, { variables: { C: 'CHG0000003' }, triggeredBy: 'bob', approvals: null }),
      // a rejected deployment approval does not count
      deployment(5, {
        variables: { C: 'CHG0000003' },
        triggeredBy: 'bob',
        approvals: [{ user: 'dave', status: 'rejected' }],
      }),
      // approvals that name nobody (the upstream dropped a deleted account) count as no one:
      // carol (change) alone is one independent approver
      deployment(6, {
        variables: { C: 'CHG0000001' },
        triggeredBy: 'bob',
        approvals: [{ status: 'approved' }, { user: null, status: 'approved' }] as any,
      }),
      mergeRequest('acme/pay', 7, { author: 'jdoe' }),
      shipped(2, 'acme/pay', 7),
    ]);
    await h.ingest('servicenow', [
      change('CHG0000001'),
      change('CHG0000002'),
      change('CHG0000003'),
      approval('a1', 'CHG0000001', 'carol'),
      approval('a2', 'CHG0000002', 'bob'),
      approval('a3', 'CHG0000003', 'carol'),
    ]);
    await rebuild();
    const out = await h.evaluate(new DualControlControl());
    expect(flagged(out)).toEqual(['gitlab:acme/pay#2', 'gitlab:acme/pay#5', 'gitlab:acme/pay#6']);
    expect(out.undecided.map((u) => u.subjectRef)).toEqual(['gitlab:acme/pay#4']);
    expect(out.flags.find((f) => f.subjectRef === 'gitlab:acme/pay#6')!.reason).not.toMatch(/undefined|null/);
    expect(out.flags[0].reason).toMatch(
      /with 0 independent approver\(s\), fewer than the 2 required; not counted: bob \(deployer\), jdoe \(MR author\)/,
    );
    const relaxed = await h.evaluate(new DualControlControl(), { minApprovers: 1 });
    expect(flagged(relaxed)).toEqual(['gitlab:acme/pay#2']);
  });

  it('RM-SOD-003 flags a deployer who authored a shipped MR, not one who only deployed others’ work', async () => {
    await h.ingest('gitlab', [
      deployment(1, { triggeredBy: 'jane.doe' }),
      deployment(2, { triggeredBy: 'bob' }),
      deployment(3, { triggeredBy: 'jane.doe' }), // ships no MR: not subject
      mergeRequest('acme/pay', 1, { author: 'jdoe' }),
      shipped(1, 'acme/pay', 1),
      shipped(2, 'acme/pay', 1),
    ]);
    await rebuild();
    const out = await h.evaluate(new AuthorDeployedControl());
    expect(flagged(out)).toEqual(['gitlab:acme/pay#1']);
    expect(out.flags[0].reason).toMatch(/by jane.doe, who authored !1 shipped with it/);
  });
});

describe.each(DB_KINDS)('RM-ART-001 artifact integrity on %s', (kind) => {
  let h: ControlHarness;
  beforeEach(async () => {
    h = await ControlHarness.create(kind);
  });
  afterEach(() => h.close());

  const build = (
    job: string,
    number: number,
    artifacts: { fileName: string; md5: string }[],
  ): NormalizedRecord => ({
    kind: 'build',
    externalId: `${job}#${number}`,
    data: {
      job,
      number,
      result: 'SUCCESS',
      startedAt: at(-60),
      durationMs: 60_000,
      parameters: {},
      causes: [],
      artifacts,
    },
  });
  const jenkinsDeployment = (n: number, artifacts: any[], causes: any[] = []) =>
    deployment(`pay/deploy#${n}`, { project: 'pay/deploy', tier: null, artifacts, causes });

  it('flags a changed digest and an artifact never built by CI; passes a matching one; leaves an unknown origin undecided', async () => {
    await h.ingest('jenkins', [
      build('pay/build', 10, [{ fileName: 'pay.jar', md5: 'aaa' }]),
      jenkinsDeployment(1, [
        { fileName: 'pay.jar', digest: 'aaa', algorithm: 'md5', originBuild: 'pay/build#10' },
      ]),
      jenkinsDeployment(2, [
        { fileName: 'pay.jar', digest: 'bbb', algorithm: 'md5', originBuild: 'pay/build#10' },
      ]),
      jenkinsDeployment(3, [
        { fileName: 'pay.jar', digest: 'ccc', algorithm: 'md5', originBuild: 'pay/deploy#3' },
      ]),
      jenkinsDeployment(
        4,
        [{ fileName: 'pay.jar', digest: 'aaa', algorithm: 'md5' }],
        [{ type: 'upstream', upstream: 'pay/build#10' }],
      ),
      jenkinsDeployment(5, [
        { fileName: 'pay.jar', digest: 'aaa', algorithm: 'md5', originBuild: 'pay/build#99' },
      ]),
      // An empty origin is no origin: checked against the upstream build, as a missing one is.
      jenkinsDeployment(
        6,
        [{ fileName: 'pay.jar', digest: 'ddd', algorithm: 'md5', originBuild: '' }],
        [{ type: 'upstream', upstream: 'pay/build#10' }],
      ),
    ]);
    const out = await h.evaluate(new ArtifactIntegrityControl());
    expect(flagged(out)).toEqual(['jenkins:pay/deploy#2', 'jenkins:pay/deploy#3', 'jenkins:pay/deploy#6']);
    expect(out.undecided.map((u) => u.subjectRef)).toEqual(['jenkins:pay/deploy#5']);
    expect(out.flags[0].reason).toMatch(
      /pay.jar has digest bbb here but aaa in pay\/build#10, which built it/,
    );
    expect(out.flags[1].reason).toMatch(/first fingerprinted by this deploy build: no CI build produced it/);
  });
});
