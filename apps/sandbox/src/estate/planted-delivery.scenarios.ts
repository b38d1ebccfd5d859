import { allocateChangeNumber, routineStandardChange } from './change.builder';
import { environmentApprovers, isHighImpact } from './estate.cast';
import { DAY, HOUR, MINUTE, iso } from './estate.clock';
import type { Deployment, Estate } from './estate.model';
import {
  approvedChange,
  changeVariable,
  deploymentSubject,
  factsOf,
  only,
  plainMrs,
  plant,
  plantCase,
  release,
  serviceOf,
  store,
  type PlantContext,
  type PlantedSlot,
  type SetupContext,
} from './planted.support';
import { buildOpenMergeRequest, buildRollback } from './release.builder';

/**
 * Planted cases of the delivery controls: segregation of duties (RM-SOD-001/002/003), signatures
 * and merge approvals (RM-PIPE-002/003), quality gates (RM-QG-001), test evidence (RM-EVD-001),
 * rollbacks (RM-RBK-001) and the CMDB inventory (RM-INV-001/002). Every deployment here is
 * otherwise compliant: linked to an approved change in its window naming its CI, with dual control
 * on high-impact services, signed commits, approved MRs, a passing analysis and a test report.
 */

/** The production deployment of a release (GitLab), for the single-production-environment services. */
function production(ctx: PlantContext, deployments: Deployment[]): Deployment {
  const env = ctx.estate.environments.find(
    (e) => e.service === deployments[0].service && e.tier === 'production',
  )!;
  return only(deployments, env.name);
}

/** A release linked to a compliant normal change by the pipeline variable; the case's overrides on top. */
function linkedRelease(
  ctx: PlantContext,
  service: string,
  overrides: Parameters<typeof release>[2] = {},
  story: Parameters<typeof approvedChange>[4] = {},
) {
  const number = allocateChangeNumber(ctx.estate);
  const r = release(ctx, service, { variables: changeVariable(number), ...overrides });
  approvedChange(ctx, number, service, r, story);
  return { number, r, d: production(ctx, r.deployments) };
}

/**
 * The last successful production deployment of a service before `before`, whose commit passed its
 * analysis: what a rollback goes back to (a rollback to a commit that failed its gate would be a
 * finding of RM-QG-001 too).
 */
function rollbackTarget(estate: Estate, service: string, environment: string, before: number): Deployment {
  const passed = new Set(
    estate.analyses.filter((a) => a.service === service && a.status !== 'ERROR').map((a) => a.revision),
  );
  // A commit whose message names a change would link that old change to the rollback too.
  const named = new Set(estate.commits.filter((c) => /\bCHG\d{7}\b/.test(c.message)).map((c) => c.sha));
  const candidates = estate.deployments.filter(
    (d) =>
      d.service === service &&
      d.environment === environment &&
      d.status === 'success' &&
      Date.parse(d.finishedAt) < before &&
      passed.has(d.sha) &&
      !named.has(d.sha),
  );
  const last = candidates[candidates.length - 1];
  if (!last) throw new Error(`planted rollback: ${service} has no earlier deployment to ${environment}`);
  return last;
}

/** A release and, two hours later, its rollback to the commit that ran before it, under a normal change. */
function releaseThenRollback(ctx: PlantContext, service: string, caseId: string): Deployment {
  const env = ctx.estate.environments.find((e) => e.service === service && e.tier === 'production')!.name;
  const target = rollbackTarget(ctx.estate, service, env, ctx.deployAt);
  linkedRelease(ctx, service);
  const number = allocateChangeNumber(ctx.estate);
  const deployer = ctx.cast.releaseManagers[0].userName;
  const at = ctx.deployAt + 2 * HOUR;
  const { deployment } = buildRollback(ctx.estate, {
    service,
    to: target,
    environment: env,
    pipelineAt: at - 20 * MINUTE,
    deployAt: at,
    variables: changeVariable(number),
    deployer,
    envApprovers: isHighImpact(ctx.estate, service) ? environmentApprovers(ctx.cast, deployer, ctx.rng) : [],
    rng: ctx.rng,
  });
  const finish = Date.parse(deployment.finishedAt);
  approvedChange(ctx, number, service, { firstStart: at, lastFinish: finish, version: target.version });
  const list = factsOf(ctx.estate).rollbacks.get(caseId) ?? [];
  list.push(deployment);
  factsOf(ctx.estate).rollbacks.set(caseId, list);
  return deployment;
}

/** RM-RBK-001's defaults (controls.md). */
const ROLLBACK_WINDOW = 30 * DAY;

export function setupDeliveryCases({ estate }: SetupContext): void {
  // The CMDB item of reporting-batch was retired by mistake in a clean-up; the service kept running.
  const reporting = estate.configItems.find((ci) => ci.service === 'reporting-batch')!;
  reporting.installStatus = 'retired';
  // Its rollbacks must not bring back an emergency change (RM-EMG-002 counts those).
  estate.cursor.services['notifications-worker'].noRoutineEmergencies = true;
}

/** The authors of the MRs a service's next deployment to `environment` will ship (merged, pending). */
function pendingAuthors(ctx: PlantContext, service: string, environment: string): Set<string> {
  const pending = ctx.estate.cursor.services[service].pendingMrs[environment] ?? [];
  return new Set(
    ctx.estate.mergeRequests
      .filter((m) => m.service === service && pending.includes(m.iid))
      .map((m) => m.authorUserName),
  );
}

export function finishDeliveryCases(estate: Estate): void {
  const four = factsOf(estate).rollbacks.get('RM-RBK-001/four-rollbacks') ?? [];
  if (four.length !== 4) throw new Error(`planted case RM-RBK-001/four-rollbacks: ${four.length} rollbacks`);
  const first = Date.parse(four[0].job.startedAt);
  plantCase(estate, {
    id: 'RM-RBK-001/four-rollbacks',
    controlId: 'RM-RBK-001',
    kind: 'violation',
    subject: { type: 'service', service: 'payments-api' },
    from: four[3].finishedAt,
    later: [{ from: first + ROLLBACK_WINDOW + 1, flagged: false }],
    note: `payments-api was rolled back to an earlier release four times within ${(Date.parse(four[3].job.startedAt) - first) / DAY} days (more than 3 in 30 days): flagged from the fourth until the first leaves the 30-day window.`,
  });
  const three = factsOf(estate).rollbacks.get('RM-RBK-001/three-rollbacks') ?? [];
  plantCase(estate, {
    id: 'RM-RBK-001/three-rollbacks',
    controlId: 'RM-RBK-001',
    kind: 'near-miss',
    subject: { type: 'service', service: 'notifications-worker' },
    from: three[three.length - 1].finishedAt,
    note: 'notifications-worker was rolled back three times in 30 days (not more than 3); its fourth deployment of an already deployed commit redeployed the commit that was running, which is no rollback.',
  });

  const reporting = firstProductionFinish(estate, 'reporting-batch');
  plantCase(estate, {
    id: 'RM-INV-002/retired-ci',
    controlId: 'RM-INV-002',
    kind: 'violation',
    subject: { type: 'service', service: 'reporting-batch' },
    from: reporting,
    note: 'reporting-batch is deployed to production, but its only CMDB item was retired in a clean-up.',
  });
  const legacy = estate.configItems.find((ci) => ci.service === 'legacy-billing')!;
  plantCase(estate, {
    id: 'RM-INV-002/retired-not-deployed',
    controlId: 'RM-INV-002',
    kind: 'near-miss',
    subject: { type: 'service', service: 'legacy-billing' },
    from: legacy.createdAt,
    note: 'legacy-billing has only a retired CMDB item, and is deployed nowhere (its repository is archived): not a deployed service.',
  });
}

function firstProductionFinish(estate: Estate, service: string): string {
  const production = new Set(
    estate.environments.filter((e) => e.service === service && e.tier === 'production').map((e) => e.id),
  );
  const finishes = estate.deployments
    .filter((d) => d.service === service && production.has(d.environmentId) && d.status === 'success')
    .map((d) => d.finishedAt)
    .sort();
  if (!finishes.length) throw new Error(`planted case: ${service} has no production deployment`);
  return finishes[0];
}

export const DELIVERY_SLOTS: PlantedSlot[] = [
  // ---------------------------------------------------------------- RM-SOD-001
  {
    service: 'notifications-worker',
    dayOffset: -19,
    minuteOfDay: 10 * 60 + 25,
    build(ctx) {
      const requester = ctx.cast.releaseManagers[1].userName;
      const approver = ctx.rng.pick(ctx.cast.approvers).userName;
      const { number, d } = linkedRelease(
        ctx,
        'notifications-worker',
        {},
        {
          requester,
          approvers: [{ userName: requester }, { userName: approver }],
        },
      );
      plantCase(ctx.estate, {
        id: 'RM-SOD-001/change-self-approved',
        controlId: 'RM-SOD-001',
        kind: 'violation',
        subject: { type: 'change', service: 'notifications-worker', number },
        from: d.finishedAt,
        note: `Change ${number} was requested by ${requester}, who is also one of its two approvers (approval record approved), and it was deployed to production.`,
      });
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -10,
    minuteOfDay: 11 * 60 + 5,
    build(ctx) {
      const requester = ctx.cast.releaseManagers[1].userName;
      const approvers = ctx.rng.sample(ctx.cast.approvers, 2).map((p) => ({ userName: p.userName }));
      const { number, d } = linkedRelease(
        ctx,
        'notifications-worker',
        {},
        {
          requester,
          approvers: [{ userName: requester, state: 'not_required' }, ...approvers],
        },
      );
      plantCase(ctx.estate, {
        id: 'RM-SOD-001/requester-not-required',
        controlId: 'RM-SOD-001',
        kind: 'near-miss',
        subject: { type: 'change', service: 'notifications-worker', number },
        from: d.finishedAt,
        note: `Change ${number}'s requester ${requester} has an approval record too, but in state "No Longer Required"; the two approvals are by others.`,
      });
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -19,
    minuteOfDay: 13 * 60 + 45,
    build(ctx) {
      const [mr] = plainMrs(ctx, 'reporting-batch', 1);
      const { r, d } = linkedRelease(ctx, 'reporting-batch', {
        mrs: [{ ...mr, approvedBy: [mr.author], merger: mr.author }],
      });
      const shipped = r.mergeRequests[0];
      const s = serviceOf(ctx, 'reporting-batch');
      plantCase(ctx.estate, {
        id: 'RM-SOD-001/mr-self-approved',
        controlId: 'RM-SOD-001',
        kind: 'violation',
        subject: { type: 'merge_request', service: s.name, project: s.gitlabPath, iid: shipped.iid },
        from: d.finishedAt,
        note: `Merge request !${shipped.iid} was approved by its own author ${mr.author} (the only approval) and shipped to production.`,
      });
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -15,
    minuteOfDay: 10 * 60 + 15,
    build(ctx) {
      const [mr] = plainMrs(ctx, 'reporting-batch', 1);
      const { r, d } = linkedRelease(ctx, 'reporting-batch', { mrs: [{ ...mr, merger: mr.author }] });
      const shipped = r.mergeRequests[0];
      const s = serviceOf(ctx, 'reporting-batch');
      plantCase(ctx.estate, {
        id: 'RM-SOD-001/author-merged-own-mr',
        controlId: 'RM-SOD-001',
        kind: 'near-miss',
        subject: { type: 'merge_request', service: s.name, project: s.gitlabPath, iid: shipped.iid },
        from: d.finishedAt,
        note: `Merge request !${shipped.iid} was merged by its author ${mr.author}, after ${mr.approver} approved it: merging your own approved MR is not approving it.`,
      });
    },
  },
  // ---------------------------------------------------------------- RM-SOD-002
  {
    service: 'ledger-service',
    dayOffset: -17,
    minuteOfDay: 14 * 60 + 30,
    build(ctx) {
      const deployer = ctx.cast.releaseManagers[0].userName;
      const approver = ctx.rng.pick(ctx.cast.approvers).userName;
      const [mr] = plainMrs(ctx, 'ledger-service', 1);
      const { number, d } = linkedRelease(
        ctx,
        'ledger-service',
        {
          mrs: [mr],
          deployer,
          envApprovers: [mr.author],
        },
        { approvers: [{ userName: approver }, { userName: deployer }] },
      );
      plant(
        ctx,
        'RM-SOD-002/deployer-approved-change',
        'RM-SOD-002',
        'violation',
        d,
        `ledger-service is high-impact. Change ${number} was approved by ${approver} and by ${deployer}, who then deployed it; the protected environment was approved by ${mr.author}, who authored the shipped MR: one independent approver.`,
      );
    },
  },
  {
    service: 'checkout-web',
    dayOffset: -20,
    minuteOfDay: 11 * 60 + 50,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const deployer = ctx.cast.releaseManagers[0].userName;
      const r = release(ctx, 'checkout-web', {
        variables: changeVariable(number),
        manualEnvs: ['production'],
        deployer,
        envApprovers: [ctx.cast.sres[0].userName],
      });
      store(
        ctx,
        routineStandardChange({
          number,
          service: 'checkout-web',
          team: 'storefront',
          deployStart: r.firstStart,
          lastFinish: r.lastFinish,
          requester: ctx.cast.releaseManagers[1].userName,
          implementer: deployer,
          approvers: [],
          title: r.mergeRequests[0].title,
          version: r.version,
          rng: ctx.rng,
        }),
      );
      plant(
        ctx,
        'RM-SOD-002/cmdb-critical-one-approver',
        'RM-SOD-002',
        'violation',
        only(r.deployments, 'production'),
        `checkout-web is medium in the catalog but "2 - somewhat critical" in the CMDB: high-impact. Its standard change ${number} has no approvers, and one SRE approved the protected environment.`,
      );
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -17,
    minuteOfDay: 10 * 60 + 5,
    build(ctx) {
      const deployer = ctx.cast.releaseManagers[0].userName;
      const approver = ctx.rng.pick(ctx.cast.approvers).userName;
      const sre = ctx.cast.sres[1].userName;
      const { number, d } = linkedRelease(
        ctx,
        'identity-gateway',
        { manualEnvs: ['production'], deployer, envApprovers: [sre] },
        { approvers: [{ userName: approver }] },
      );
      plant(
        ctx,
        'RM-SOD-002/change-and-environment-approver',
        'RM-SOD-002',
        'near-miss',
        d,
        `identity-gateway is high-impact: change ${number} has one approver (${approver}) and the protected environment another (${sre}): two independent approvers, counted over both.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -11,
    minuteOfDay: 9 * 60 + 20,
    build(ctx) {
      const approver = ctx.rng.pick(ctx.cast.approvers).userName;
      const { number, d } = linkedRelease(
        ctx,
        'reporting-batch',
        {},
        { approvers: [{ userName: approver }] },
      );
      plant(
        ctx,
        'RM-SOD-002/not-high-impact',
        'RM-SOD-002',
        'near-miss',
        d,
        `reporting-batch is medium in the catalog and "3 - less critical" in the CMDB: one approver (${approver}, change ${number}) is enough.`,
      );
    },
  },
  // ---------------------------------------------------------------- RM-SOD-003
  {
    service: 'notifications-worker',
    dayOffset: -6,
    minuteOfDay: 15 * 60 + 30,
    build(ctx) {
      const [mr] = plainMrs(ctx, 'notifications-worker', 1);
      const { d } = linkedRelease(ctx, 'notifications-worker', { mrs: [mr], deployer: mr.author });
      plant(
        ctx,
        'RM-SOD-003/author-deployed',
        'RM-SOD-003',
        'violation',
        d,
        `Deployed to production by ${mr.author}, the author of the merge request it shipped.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -7,
    minuteOfDay: 14 * 60 + 40,
    build(ctx) {
      // The deployer approves and merges this MR and authored none of the MRs the deployment ships.
      const devs = ctx.cast.developers(serviceOf(ctx, 'reporting-batch').team).map((p) => p.userName);
      const pending = pendingAuthors(ctx, 'reporting-batch', 'production');
      const merger = devs.find((u) => !pending.has(u));
      if (!merger) ctx.estate.cursor.services['reporting-batch'].pendingMrs.production = [];
      const approver = merger ?? devs[0];
      const [base] = plainMrs(ctx, 'reporting-batch', 1);
      const mr = { ...base, author: devs.find((u) => u !== approver)!, approver, merger: approver };
      const { d } = linkedRelease(ctx, 'reporting-batch', { mrs: [mr], deployer: mr.merger });
      plant(
        ctx,
        'RM-SOD-003/approver-deployed',
        'RM-SOD-003',
        'near-miss',
        d,
        `Deployed to production by ${mr.merger}, who approved and merged the shipped MR but did not author it (${mr.author} did).`,
      );
    },
  },
  // ---------------------------------------------------------------- RM-PIPE-002
  {
    service: 'payments-api',
    dayOffset: -20,
    minuteOfDay: 10 * 60 + 55,
    build(ctx) {
      const mrs = plainMrs(ctx, 'payments-api', 2);
      mrs[0] = { ...mrs[0], firstCommitSignature: 'unsigned' };
      const { r, d } = linkedRelease(ctx, 'payments-api', { mrs });
      const s = serviceOf(ctx, 'payments-api');
      const unsigned = ctx.estate.commits.find((c) => c.sha === r.mergeRequests[0].commitShas[0])!;
      plantCase(ctx.estate, {
        id: 'RM-PIPE-002/unsigned-mr-commit',
        controlId: 'RM-PIPE-002',
        kind: 'violation',
        subject: { type: 'commit', service: s.name, project: s.gitlabPath, sha: unsigned.sha },
        from: d.finishedAt,
        note: `The first commit of shipped MR !${r.mergeRequests[0].iid} ("${unsigned.title}") is not signed (GitLab answers 404 for its signature).`,
      });
      const merge = r.mergeRequests[1].mergeCommitSha!;
      plantCase(ctx.estate, {
        id: 'RM-PIPE-002/web-flow-merge-commit',
        controlId: 'RM-PIPE-002',
        kind: 'near-miss',
        subject: { type: 'commit', service: s.name, project: s.gitlabPath, sha: merge },
        from: d.finishedAt,
        note: `The merge commit of MR !${r.mergeRequests[1].iid} is signed by GitLab's web-flow key: verification_status "verified_system" passes.`,
      });
      const author = ctx.cast.developers(s.team)[0].userName;
      const draft = buildOpenMergeRequest(ctx.estate, s.name, author, ctx.deployAt + 3 * HOUR, ctx.rng);
      plantCase(ctx.estate, {
        id: 'RM-PIPE-002/unsigned-never-shipped',
        controlId: 'RM-PIPE-002',
        kind: 'near-miss',
        subject: { type: 'commit', service: s.name, project: s.gitlabPath, sha: draft.commitShas[0] },
        from: draft.createdAt,
        note: `The commit of MR !${draft.iid} (never merged) is not signed, but it never shipped to production.`,
      });
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -20,
    minuteOfDay: 15 * 60 + 10,
    build(ctx) {
      const s = serviceOf(ctx, 'identity-gateway');
      const author = ctx.cast.developers(s.team)[1].userName;
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'identity-gateway', {
        manualEnvs: ['production'],
        directCommit: { message: `Hotfix token expiry check (${number})`, author, signature: 'unverified' },
      });
      approvedChange(ctx, number, 'identity-gateway', r);
      const d = only(r.deployments, 'production');
      plantCase(ctx.estate, {
        id: 'RM-PIPE-002/unverified-deployed-commit',
        controlId: 'RM-PIPE-002',
        kind: 'violation',
        subject: { type: 'commit', service: s.name, project: s.gitlabPath, sha: d.sha },
        from: d.finishedAt,
        note: `The deployed commit (pushed straight to main by ${author}) carries a GPG signature GitLab could not verify: verification_status "unverified".`,
      });
    },
  },
  // ---------------------------------------------------------------- RM-PIPE-003
  {
    service: 'checkout-web',
    dayOffset: -17,
    minuteOfDay: 13 * 60 + 5,
    build(ctx) {
      const [mr] = plainMrs(ctx, 'checkout-web', 1);
      const { r, d } = linkedRelease(ctx, 'checkout-web', { mrs: [{ ...mr, approvedBy: [] }] });
      const s = serviceOf(ctx, 'checkout-web');
      plantCase(ctx.estate, {
        id: 'RM-PIPE-003/merged-without-approval',
        controlId: 'RM-PIPE-003',
        kind: 'violation',
        subject: {
          type: 'merge_request',
          service: s.name,
          project: s.gitlabPath,
          iid: r.mergeRequests[0].iid,
        },
        from: d.finishedAt,
        note: `Merge request !${r.mergeRequests[0].iid} was merged by ${mr.merger} with no approval (1 required, 1 left) and shipped to production and prod-eu.`,
      });
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -9,
    minuteOfDay: 11 * 60 + 40,
    build(ctx) {
      const s = serviceOf(ctx, 'identity-gateway');
      const devs = ctx.cast.developers(s.team).map((p) => p.userName);
      const [mr] = plainMrs(ctx, 'identity-gateway', 1);
      const others = devs.filter((u) => u !== mr.author);
      const { r, d } = linkedRelease(ctx, 'identity-gateway', {
        manualEnvs: ['production'],
        mrs: [
          {
            ...mr,
            approver: others[0],
            merger: others[0],
            approvedBy: others.slice(0, 2),
            approvalsRequired: 2,
          },
        ],
      });
      plantCase(ctx.estate, {
        id: 'RM-PIPE-003/two-of-two',
        controlId: 'RM-PIPE-003',
        kind: 'near-miss',
        subject: {
          type: 'merge_request',
          service: s.name,
          project: s.gitlabPath,
          iid: r.mergeRequests[0].iid,
        },
        from: d.finishedAt,
        note: `Merge request !${r.mergeRequests[0].iid} required two approvals and had two (${others.slice(0, 2).join(', ')}).`,
      });
    },
  },
  // ---------------------------------------------------------------- RM-QG-001
  {
    service: 'payments-api',
    dayOffset: -9,
    minuteOfDay: 13 * 60 + 10,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'payments-api', { analysis: { status: 'ERROR' } });
      plant(
        ctx,
        'RM-QG-001/gate-error',
        'RM-QG-001',
        'violation',
        d,
        'The SonarQube analysis of the deployed commit failed its quality gate (ERROR: coverage on new code under 80%, blocker issues); deployed anyway.',
      );
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -13,
    minuteOfDay: 10 * 60 + 50,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'notifications-worker', { analysis: null });
      plant(
        ctx,
        'RM-QG-001/no-analysis',
        'RM-QG-001',
        'violation',
        d,
        'No SonarQube analysis of the deployed commit exists (the analysis job was skipped); the project has analyses of other commits (severity medium).',
      );
    },
  },
  {
    service: 'ledger-service',
    dayOffset: -6,
    minuteOfDay: 10 * 60 + 35,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'ledger-service', { analysis: { status: 'WARN' } });
      plant(
        ctx,
        'RM-QG-001/gate-warn',
        'RM-QG-001',
        'near-miss',
        d,
        'The analysis of the deployed commit has quality gate WARN (a warning threshold on duplication): only ERROR or a missing analysis fail.',
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -2,
    minuteOfDay: 11 * 60 + 25,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'reporting-batch', { analysis: { status: 'OK', afterMinutes: 240 } });
      plant(
        ctx,
        'RM-QG-001/analysed-after-deployment',
        'RM-QG-001',
        'near-miss',
        d,
        'The deployed commit was analysed (gate OK) only after the deployment, when the scanner queue caught up: an analysis of the commit exists, whenever it was made.',
      );
    },
  },
  // ---------------------------------------------------------------- RM-EVD-001
  {
    service: 'identity-gateway',
    dayOffset: -15,
    minuteOfDay: 14 * 60 + 20,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'identity-gateway', { manualEnvs: ['production'], testReport: null });
      plant(
        ctx,
        'RM-EVD-001/no-test-report',
        'RM-EVD-001',
        'violation',
        d,
        'The pipeline that deployed it archived no test report (GitLab shows an empty test report summary).',
      );
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -11,
    minuteOfDay: 13 * 60 + 55,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'notifications-worker', {
        testReport: { total: 212, failed: 2, skipped: 4, errored: 0, durationSeconds: 95 },
      });
      plant(
        ctx,
        'RM-EVD-001/failing-tests-archived',
        'RM-EVD-001',
        'near-miss',
        d,
        'The pipeline archived a test report (212 tests, 2 failed in an allowed-to-fail suite): the evidence exists.',
      );
    },
  },
  // ---------------------------------------------------------------- RM-RBK-001
  ...[-17, -14, -11, -4].map((dayOffset): PlantedSlot => ({
    service: 'payments-api',
    dayOffset,
    minuteOfDay: 10 * 60 + 5,
    build: (ctx) => void releaseThenRollback(ctx, 'payments-api', 'RM-RBK-001/four-rollbacks'),
  })),
  ...[-14, -9].map((dayOffset): PlantedSlot => ({
    service: 'notifications-worker',
    dayOffset,
    minuteOfDay: 9 * 60 + 50,
    build: (ctx) => void releaseThenRollback(ctx, 'notifications-worker', 'RM-RBK-001/three-rollbacks'),
  })),
  {
    service: 'notifications-worker',
    dayOffset: -3,
    minuteOfDay: 9 * 60 + 50,
    build(ctx) {
      const rollback = releaseThenRollback(ctx, 'notifications-worker', 'RM-RBK-001/three-rollbacks');
      // An hour later the running (rolled-back) commit is deployed once more, to pick up a config fix.
      const number = allocateChangeNumber(ctx.estate);
      const at = Date.parse(rollback.finishedAt) + HOUR;
      const { deployment } = buildRollback(ctx.estate, {
        service: 'notifications-worker',
        to: rollback,
        environment: 'production',
        pipelineAt: at - 20 * MINUTE,
        deployAt: at,
        variables: changeVariable(number),
        deployer: ctx.cast.releaseManagers[1].userName,
        rng: ctx.rng,
      });
      approvedChange(ctx, number, 'notifications-worker', {
        firstStart: at,
        lastFinish: Date.parse(deployment.finishedAt),
        version: rollback.version,
      });
      plantCase(ctx.estate, {
        id: 'RM-RBK-001/redeploy-of-running-commit',
        controlId: 'RM-RBK-001',
        kind: 'near-miss',
        subject: deploymentSubject(ctx, deployment),
        from: deployment.finishedAt,
        note: `A deployment of commit ${rollback.sha.slice(0, 8)}, which was already running in production: a redeploy, not a rollback (the commit running just before it is itself).`,
      });
    },
  },
  // ---------------------------------------------------------------- RM-INV-001
  {
    service: 'ledger-service',
    dayOffset: -4,
    minuteOfDay: 11 * 60 + 45,
    build(ctx) {
      const ci = ctx.estate.configItems.find((c) => c.service === 'ledger-service')!;
      const recorded = ci.versions[ci.versions.length - 1].version;
      ci.versionSyncStoppedAt = iso(ctx.deployAt - HOUR);
      const { d } = linkedRelease(ctx, 'ledger-service');
      plantCase(ctx.estate, {
        id: 'RM-INV-001/cmdb-sync-stopped',
        controlId: 'RM-INV-001',
        kind: 'violation',
        subject: { type: 'service', service: 'ledger-service' },
        from: d.finishedAt,
        note: `The CMDB's discovery stopped updating ledger-service before release ${d.version}: the item still records ${recorded}, and every later release widens the gap.`,
      });
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -3,
    minuteOfDay: 14 * 60 + 50,
    build(ctx) {
      const { d } = linkedRelease(ctx, 'identity-gateway', { manualEnvs: ['production'], tag: true });
      plantCase(ctx.estate, {
        id: 'RM-INV-001/tag-with-leading-v',
        controlId: 'RM-INV-001',
        kind: 'near-miss',
        subject: { type: 'service', service: 'identity-gateway' },
        from: d.finishedAt,
        note: `identity-gateway's release deployed tag ${d.ref}, and the CMDB records ${d.version} (without the "v"): the same version.`,
      });
    },
  },
];
