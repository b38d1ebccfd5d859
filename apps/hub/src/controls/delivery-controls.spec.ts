/**
 * The delivery controls (RM-CHG-003, RM-EMG-001/002, RM-PIPE-001/002/003, RM-RBK-001, RM-EVD-001):
 * each violation beside its nearest compliant case, and the case it cannot decide, on SQLite and
 * PostgreSQL. The not-evaluated cases driven by a failed source are in evaluation-scope.spec.ts.
 */
import { controlDefinition } from '@audit-hub/domain';
import { DB_KINDS } from '../../../../test/support/database';
import {
  at,
  change,
  commit,
  ControlHarness,
  deployment,
  flagged,
  hours,
  mergeRequest,
  shipped,
  T0,
} from './testing/control-fixtures';
import { ChangeWindowControl } from './change-window.control';
import { EmergencyReviewControl } from './emergency-review.control';
import { EmergencyRateControl } from './emergency-rate.control';
import { PipelineBypassControl } from './pipeline-bypass.control';
import { UnsignedCommitControl } from './unsigned-commit.control';
import { MergeApprovalsControl } from './merge-approvals.control';
import { RollbackRateControl } from './rollback-rate.control';
import { MissingTestEvidenceControl } from './missing-test-evidence.control';
import { evaluationScope } from '../runs/evaluation-scope';
import { ShippedRangeEntity } from '../store/entities/shipped-range.entity';

const ref = (id: number | string) => `gitlab:acme/pay#${id}`;

describe.each(DB_KINDS)('delivery controls on %s', (kind) => {
  let h: ControlHarness;
  beforeEach(async () => {
    h = await ControlHarness.create(kind);
  });
  afterEach(() => h.close());

  describe('RM-CHG-003 deployment outside change window', () => {
    it('flags a start past the grace, passes one inside the grace, and ignores emergency-only links', async () => {
      await h.ingest('gitlab', [
        deployment(1, { variables: { C: 'CHG0000001' }, startedAt: at(136) }), // window ends +120, grace 15 → +135
        deployment(2, { variables: { C: 'CHG0000001' }, startedAt: at(135) }), // exactly at the grace edge
        deployment(3, { variables: { C: 'CHG0000001' }, startedAt: at(-46) }), // before start − grace
        deployment(4, { variables: { C: 'CHG0000002' }, startedAt: at(600) }), // emergency only: not subject
        deployment(5, { variables: { A: 'CHG0000001', B: 'CHG0000003' }, startedAt: at(500) }), // inside the second change's window
        deployment(6, { variables: { C: 'CHG0000004' } }), // change without a planned window
        deployment(7, { startedAt: at(900) }), // unlinked: RM-CHG-001's
      ]);
      await h.ingest('servicenow', [
        change('CHG0000001'),
        change('CHG0000002', { type: 'emergency' }),
        change('CHG0000003', { plannedStart: at(400), plannedEnd: at(520) }),
        change('CHG0000004', { plannedStart: undefined, plannedEnd: undefined }),
      ]);
      const out = await h.evaluate(new ChangeWindowControl());
      expect(flagged(out)).toEqual([ref(1), ref(3), ref(6)]);
      expect(out.flags.find((f) => f.subjectRef === ref(6))!.reason).toMatch(
        /CHG0000004 has no planned window/,
      );
      expect(out.flags.find((f) => f.subjectRef === ref(1))!.reason).toBe(
        'Deployed to production at 2026-11-02 16:16 UTC, outside the window of every linked change (grace 15 min): CHG0000001 planned 2026-11-02 13:30 UTC – 2026-11-02 16:00 UTC.',
      );
      const wider = await h.evaluate(new ChangeWindowControl(), { graceMinutes: 60 });
      expect(flagged(wider)).toEqual([ref(6)]);
    });
  });

  describe('RM-EMG-001 emergency change review overdue', () => {
    it('flags a late close and a change still open past its review time, not one closed in time or still within it', async () => {
      await h.ingest('gitlab', [
        deployment(1, { variables: { C: 'CHG0000001' }, finishedAt: at(10) }),
        deployment(2, { variables: { C: 'CHG0000001' }, startedAt: hours(30), finishedAt: hours(30) }),
        deployment(3, { variables: { C: 'CHG0000002' }, finishedAt: at(10) }),
        deployment(4, { variables: { C: 'CHG0000003' }, finishedAt: at(10) }),
        deployment(5, { variables: { C: 'CHG0000004' }, finishedAt: hours(70) }),
        deployment(6, { variables: { C: 'CHG0000005' }, status: 'failed', finishedAt: at(10) }),
      ]);
      await h.ingest('servicenow', [
        // closed 73 h after the FIRST deployment finished (the second one does not restart the clock)
        change('CHG0000001', {
          type: 'emergency',
          state: 'closed',
          closedAt: new Date(T0.getTime() + (73 * 60 + 10) * 60_000).toISOString(),
        }),
        change('CHG0000002', { type: 'emergency', state: 'closed', closedAt: hours(71) }), // in time
        change('CHG0000003', { type: 'emergency', state: 'review' }), // still open
        change('CHG0000004', { type: 'emergency', state: 'review' }), // still open but not yet due
        change('CHG0000005', { type: 'emergency', state: 'review' }), // linked only to a failed deployment
      ]);
      const out = await h.evaluate(
        new EmergencyReviewControl(),
        {},
        new Date(T0.getTime() + 100 * 3_600_000),
      );
      expect(flagged(out)).toEqual(['servicenow:CHG0000001', 'servicenow:CHG0000003']);
      expect(out.flags.every((f) => f.subjectType === 'change')).toBe(true);
      expect(out.flags.find((f) => f.subjectRef === 'servicenow:CHG0000003')!.reason).toMatch(
        /still review at 2026-11-06 18:00 UTC; its review was due 2026-11-05 14:10 UTC/,
      );
      const early = await h.evaluate(
        new EmergencyReviewControl(),
        {},
        new Date(T0.getTime() + 50 * 3_600_000),
      );
      expect(flagged(early)).toEqual(['servicenow:CHG0000001']);
    });
  });

  describe('RM-EMG-002 emergency change rate', () => {
    it('flags a service above the share with enough deployments, not one at the share or with too few', async () => {
      const now = new Date(T0.getTime() + 3_600_000);
      const records = [];
      // pay: 5 deployments, 2 emergency (40%); cart: 5 deployments, 1 emergency (20% = max, not above); tiny: 2 of 2
      for (let i = 1; i <= 5; i++)
        records.push(deployment(i, { variables: i <= 2 ? { C: 'CHG0000009' } : {} }));
      for (let i = 11; i <= 15; i++)
        records.push(deployment(i, { project: 'acme/cart', variables: i === 11 ? { C: 'CHG0000009' } : {} }));
      for (let i = 21; i <= 22; i++)
        records.push(deployment(i, { project: 'acme/tiny', variables: { C: 'CHG0000009' } }));
      records.push(
        deployment(31, {
          project: 'acme/cart',
          startedAt: new Date(now.getTime() - 31 * 86_400_000).toISOString(),
          variables: { C: 'CHG0000009' },
        }),
      );
      await h.ingest('gitlab', records);
      await h.ingest('servicenow', [change('CHG0000009', { type: 'emergency' })]);
      const out = await h.evaluate(new EmergencyRateControl(), {}, now);
      expect(flagged(out)).toEqual(['pay@production']);
      expect(out.flags[0].reason).toBe(
        "2 of pay's 5 production deployments in the last 30 days linked an emergency change (40%, above the 20% allowed).",
      );
    });
  });

  describe('RM-PIPE-001 deployment bypassed the pipeline', () => {
    it('flags a production deployment without a CI job, not a pipeline one or a staging one', async () => {
      await h.ingest('gitlab', [
        deployment(1, { viaPipeline: false, triggeredBy: 'jdoe', pipelineId: undefined }),
        deployment(2),
        deployment(3, { viaPipeline: false, environment: 'staging', tier: 'staging' }),
      ]);
      await h.ingest('jenkins', [
        deployment('payments/deploy#7', {
          project: 'payments/deploy',
          tier: null,
          viaPipeline: false,
          causes: [{ type: 'replay', user: 'jdoe' }],
        }),
      ]);
      const out = await h.evaluate(new PipelineBypassControl());
      expect(flagged(out)).toEqual([ref(1), 'jenkins:payments/deploy#7']);
      expect(out.flags.find((f) => f.subjectConnector === 'jenkins')!.reason).toMatch(
        /through a replayed build/,
      );
      expect(out.flags.find((f) => f.subjectRef === ref(1))!.reason).toMatch(/by jdoe through no CI job/);
    });
  });

  describe('RM-PIPE-002 unsigned or unverified commit released', () => {
    it('flags unsigned and unverified shipped commits, passes verified ones, and leaves uncollected ones undecided', async () => {
      const d1 = deployment(1, { commitSha: 'a'.repeat(40) });
      await h.ingest('gitlab', [
        d1,
        deployment(2, { commitSha: 'b'.repeat(40), environment: 'staging', tier: 'staging' }),
        commit('acme/pay', 'a'.repeat(40), { signature: 'verified_system' }),
        commit('acme/pay', 'b'.repeat(40), { signature: 'unsigned' }), // shipped only to staging
        mergeRequest('acme/pay', 5, { commitShas: ['c'.repeat(40), 'd'.repeat(40), 'e'.repeat(40)] }),
        shipped(1, 'acme/pay', 5),
        commit('acme/pay', 'c'.repeat(40), { signature: 'unsigned', title: 'Quick fix' }),
        commit('acme/pay', 'd'.repeat(40), { signature: 'unverified' }),
        // e… was never collected
      ]);
      const out = await h.evaluate(new UnsignedCommitControl());
      expect(flagged(out)).toEqual([
        `gitlab:acme/pay@${'c'.repeat(40)}`,
        `gitlab:acme/pay@${'d'.repeat(40)}`,
      ]);
      expect(out.undecided.map((u) => u.subjectRef)).toEqual([`gitlab:acme/pay@${'e'.repeat(40)}`]);
      expect(out.flags[0].reason).toBe(
        'Commit cccccccccccc ("Quick fix", by Dev One) is not signed, and it was released to production by 1 deployment(s).',
      );
      expect(out.flags[0].related).toEqual([{ type: 'deployment', ref: ref(1) }]);
    });
  });

  it('RM-PIPE-002 judges a Jenkins deployment in the service repository its shipped range was read from', async () => {
    const deployed = 'f'.repeat(40);
    const jenkins = (id: string, sha: string) =>
      deployment(id, { project: 'payments/deploy', tier: null, commitSha: sha, commitMessage: undefined });
    await h.ingest('jenkins', [
      jenkins('payments/deploy#8', deployed),
      jenkins('payments/deploy#9', '9'.repeat(40)),
    ]);
    // The GitLab connector read #8's range: MR !6 shipped, and the deployed commit, unsigned.
    await h.ingest('gitlab', [
      mergeRequest('acme/pay', 6, { commitShas: ['6'.repeat(40)] }),
      shipped('payments/deploy#8', 'acme/pay', 6, 'jenkins'),
      commit('acme/pay', '6'.repeat(40), { signature: 'verified' }),
      commit('acme/pay', deployed, { signature: 'unsigned' }),
    ]);
    await h.ds.getRepository(ShippedRangeEntity).save({
      deploymentConnector: 'jenkins',
      deploymentId: 'payments/deploy#8',
      repositoryConnector: 'gitlab',
      repository: 'acme/pay',
      fromSha: null,
      toSha: deployed,
      resolvedAt: at(0),
    });
    const out = await h.evaluate(new UnsignedCommitControl());
    // The ref names the GitLab repository (interfaces.md), not the Jenkins job.
    expect(flagged(out)).toEqual([`gitlab:acme/pay@${deployed}`]);
    expect(out.flags[0].related).toEqual([{ type: 'deployment', ref: 'jenkins:payments/deploy#8' }]);
    // #9's range was never read: its deployed commit is undecided, never passed.
    expect(out.undecided.map((u) => u.subjectRef)).toEqual([`jenkins:payments/deploy@${'9'.repeat(40)}`]);
  });

  describe('RM-PIPE-003 merge without required approvals', () => {
    it('flags approvals left and too few approvers, passes a fully approved MR, and leaves unreadable approvals undecided', async () => {
      await h.ingest('gitlab', [
        deployment(1),
        deployment(2, { environment: 'staging', tier: 'staging' }),
        mergeRequest('acme/pay', 1, { approvalsLeft: 1, approvalsRequired: 2, approvedBy: ['dev.two'] }),
        mergeRequest('acme/pay', 2, { approvedBy: [], approvalsRequired: 0, approvalsLeft: 0 }),
        mergeRequest('acme/pay', 3), // approved by another person
        mergeRequest('acme/pay', 4, { approvedBy: null }), // GitLab Free: unknown
        mergeRequest('acme/pay', 5, { approvedBy: [] }), // shipped to staging only
        mergeRequest('acme/pay', 6, { approvedBy: ['dev.one'] }), // self-approved: RM-SOD-001's, passes here
        shipped(1, 'acme/pay', 1),
        shipped(1, 'acme/pay', 2),
        shipped(1, 'acme/pay', 3),
        shipped(1, 'acme/pay', 4),
        shipped(2, 'acme/pay', 5),
        shipped(1, 'acme/pay', 6),
      ]);
      const out = await h.evaluate(new MergeApprovalsControl());
      expect(flagged(out)).toEqual(['gitlab:acme/pay!1', 'gitlab:acme/pay!2']);
      expect(out.undecided).toEqual([
        { subjectRef: 'gitlab:acme/pay!4', why: 'its approvals could not be read from GitLab' },
      ]);
      expect(out.flags[0].reason).toMatch(
        /GitLab still required 1 more approval\(s\) of 2 \(approved by dev.two\)/,
      );
      const stricter = await h.evaluate(new MergeApprovalsControl(), { minApprovals: 2 });
      expect(flagged(stricter)).toEqual([
        'gitlab:acme/pay!1',
        'gitlab:acme/pay!2',
        'gitlab:acme/pay!3',
        'gitlab:acme/pay!6',
      ]);
    });
  });

  describe('RM-RBK-001 rollback rate', () => {
    const sha = (n: number) => String(n).repeat(40).slice(0, 40);
    it('counts only true rollbacks in the window, per service and environment', async () => {
      const now = new Date(T0.getTime() + 10 * 86_400_000);
      const day = (d: number) => new Date(T0.getTime() + d * 86_400_000).toISOString();
      // pay: v1, v2, v1 (rollback), v2 (roll forward: v2 first deployed after v1 → not a rollback),
      // v3, v2 (rollback), v3 again (not), v1 (rollback), v4, v4 redeployed (not a rollback)
      const seq = [1, 2, 1, 2, 3, 2, 3, 1, 4, 4];
      await h.ingest(
        'gitlab',
        seq.map((v, i) => deployment(100 + i, { commitSha: sha(v), startedAt: day(i / 2) })),
      );
      // cart: one rollback only
      await h.ingest(
        'gitlab',
        [1, 2, 1].map((v, i) =>
          deployment(200 + i, { project: 'acme/cart', commitSha: sha(v), startedAt: day(i) }),
        ),
      );
      const out = await h.evaluate(new RollbackRateControl(), { maxRollbacks: 2 }, now);
      expect(flagged(out)).toEqual(['pay@production']);
      expect((out.flags[0].input.rollbacks as unknown[]).length).toBe(3);
      const lenient = await h.evaluate(new RollbackRateControl(), { maxRollbacks: 3 }, now);
      expect(flagged(lenient)).toEqual([]);
      // A 2-day window from day 3: the deployment before it (day 2.5) decides about the first one in it;
      // only the return to v1 on day 3.5 is a rollback there.
      const narrow = await h.evaluate(
        new RollbackRateControl(),
        { maxRollbacks: 0, windowDays: 2 },
        new Date(T0.getTime() + 5 * 86_400_000),
      );
      expect(flagged(narrow)).toEqual(['pay@production']);
      expect((narrow.flags[0].input.rollbacks as { commit: string }[]).map((r) => r.commit)).toEqual([
        sha(1),
      ]);
    });
  });

  describe('RM-EVD-001 test evidence missing', () => {
    it('flags a pipeline deployment without a test report, not one with a report or one without a pipeline', async () => {
      await h.ingest('gitlab', [
        deployment(1, { testReport: null }),
        deployment(2, { testReport: { total: 3, failed: 1 } }),
        deployment(3, { testReport: null, viaPipeline: false }),
      ]);
      const out = await h.evaluate(new MissingTestEvidenceControl());
      expect(flagged(out)).toEqual([ref(1)]);
      expect(out.flags[0].reason).toBe(
        'Deployed to production at 2026-11-02 14:00 UTC by pipeline 500, which archived no test report.',
      );
    });
  });
});

describe('partial runs: which subjects a failed source leaves unevaluated', () => {
  const failed = (connector: string, stream: string, kinds: any[]) => ({
    connector,
    stream,
    status: 'failed',
    kinds,
    error: 'down',
  });
  it('a failed change source leaves every deployment of RM-CHG-003 unevaluated', () => {
    const d = evaluationScope(controlDefinition('RM-CHG-003')!, [
      failed('servicenow', 'changes', ['change']),
    ]);
    expect(d.scope.none).toBe(true);
  });
  it('a failed GitLab stream leaves only GitLab subjects of RM-PIPE-003 unevaluated', () => {
    const d = evaluationScope(controlDefinition('RM-PIPE-003')!, [
      failed('gitlab', 'deployments', ['deployment', 'merge-request', 'deployment-mr', 'commit']),
    ]);
    expect(d.scope.none).toBe(false);
    expect([...d.scope.blockedConnectors]).toEqual(['gitlab']);
  });
  it('service controls are not evaluated at all when a deployment source failed', () => {
    const d = evaluationScope(controlDefinition('RM-RBK-001')!, [
      failed('jenkins', 'deployments', ['deployment']),
    ]);
    expect(d.scope.none).toBe(true);
  });
  it('a failed source of kinds the control does not need changes nothing', () => {
    const d = evaluationScope(controlDefinition('RM-PIPE-001')!, [
      failed('vault', 'entitlements', ['entitlement']),
    ]);
    expect(d.scope.none).toBe(false);
    expect(d.scope.blockedConnectors.size).toBe(0);
  });
});
