import { allocateChangeNumber, approvalRecord, CAB_GROUP, ChangeStory } from './change.builder';
import { HOUR, MINUTE, iso } from './estate.clock';
import { STAGING } from './estate.skeleton';
import {
  approvedBefore,
  changeVariable,
  compliantChange,
  customChange,
  LATE_CHANGE,
  MISSING_CHANGE,
  only,
  plainMrs,
  plant,
  release,
  REOPEN_AFTER,
  RESOLVE_AFTER,
  serviceOf,
  type PlantedSlot,
} from './planted.support';

/**
 * The planted cases of RM-CHG-001 and RM-CHG-002: each violation sits beside a compliant
 * near-miss that a sloppy control would also flag (or a lax one would also pass).
 *
 * Time travel: `RESOLVE_AFTER` and `REOPEN_AFTER` after the generation instant, one RM-CHG-001
 * finding resolves (its missing change is created) and one RM-CHG-002 finding first resolves
 * (its change moves on from Authorize) and then reopens (the change is canceled).
 */

export const LINKING_SLOTS: PlantedSlot[] = [
  // ---------------------------------------------------------------- RM-CHG-001 violations
  {
    service: 'payments-api',
    dayOffset: -18,
    minuteOfDay: 10 * 60 + 12,
    build(ctx) {
      const r = release(ctx, 'payments-api', { mrs: plainMrs(ctx, 'payments-api', 2) });
      plant(
        ctx,
        'RM-CHG-001/no-reference',
        'RM-CHG-001',
        'violation',
        only(r.deployments, 'production'),
        'Successful production deployment with no CHG number anywhere: not in the pipeline variables, the deployed commit message, or the title or description of the MRs it shipped.',
      );
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -15,
    minuteOfDay: 11 * 60 + 5,
    build(ctx) {
      const r = release(ctx, 'notifications-worker', { variables: changeVariable(MISSING_CHANGE) });
      plant(
        ctx,
        'RM-CHG-001/unknown-change',
        'RM-CHG-001',
        'violation',
        only(r.deployments, 'production'),
        `Production deployment whose only reference is ${MISSING_CHANGE} (pipeline variable CHANGE_ID), a change that does not exist in ServiceNow.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -9,
    minuteOfDay: 14 * 60 + 20,
    build(ctx) {
      const r = release(ctx, 'reporting-batch', { variables: changeVariable(LATE_CHANGE) });
      const deployment = only(r.deployments, 'production');
      const createdAt = ctx.t0 + RESOLVE_AFTER;
      const s = serviceOf(ctx, 'reporting-batch');
      const rm = ctx.cast.releaseManagers[0].userName;
      // Recorded after the fact as a standard (pre-approved) change: it links the deployment and,
      // being standard, is outside RM-CHG-002.
      const change = new ChangeStory({
        number: LATE_CHANGE,
        type: 'standard',
        createdAt,
        createdBy: rm,
        requestedBy: rm,
        assignedTo: rm,
        assignmentGroup: `${s.team}-team`,
        service: 'reporting-batch',
        shortDescription: `Retroactive record: deploy reporting-batch ${r.version}`,
        description: `Standard change recorded after deployment ${deployment.id}.`,
        plannedStart: r.firstStart - HOUR,
        plannedEnd: r.firstStart + 3 * HOUR,
      })
        .to(createdAt + MINUTE, rm, { state: 'scheduled', approval: 'approved' })
        .to(createdAt + 2 * MINUTE, rm, {
          state: 'closed',
          workStart: iso(r.firstStart),
          workEnd: iso(r.lastFinish),
          closedAt: iso(createdAt + 2 * MINUTE),
          closedBy: rm,
          closeCode: 'successful',
          closeNotes: 'Recorded retroactively.',
        })
        .build();
      ctx.estate.changes.push(change);
      plant(
        ctx,
        'RM-CHG-001/change-created-later',
        'RM-CHG-001',
        'violation',
        deployment,
        `Production deployment referencing ${LATE_CHANGE} (pipeline variable CHANGE_ID), which does not exist until ${iso(createdAt)} (generation + 6 h), when it is created as a standard change: the finding resolves then.`,
        [{ from: createdAt, flagged: false }],
      );
    },
  },
  {
    service: 'ledger-service',
    dayOffset: -12,
    minuteOfDay: 15 * 60 + 40,
    build(ctx) {
      const r = release(ctx, 'ledger-service', {});
      plant(
        ctx,
        'RM-CHG-001/live-no-change',
        'RM-CHG-001',
        'violation',
        only(r.deployments, 'live'),
        'Deployment to the environment named `live` (GitLab tier production) with no change reference: production by its tier, whatever its name.',
      );
    },
  },
  // ---------------------------------------------------------------- RM-CHG-001 near-misses
  {
    service: 'payments-api',
    dayOffset: -16,
    minuteOfDay: 13 * 60 + 30,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'payments-api', { variables: changeVariable(number) });
      compliantChange(ctx, number, 'payments-api', r);
      plant(
        ctx,
        'RM-CHG-001/via-variable-only',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked only through the pipeline variable CHANGE_ID=${number} (approved normal change); commit and MRs carry no CHG number.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -13,
    minuteOfDay: 9 * 60 + 45,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const author = ctx.cast.developers(serviceOf(ctx, 'reporting-batch').team)[0].userName;
      const r = release(ctx, 'reporting-batch', {
        versionVariable: false,
        directCommit: { message: `Update release notes for ${number}\n\nNo code change.`, author },
      });
      compliantChange(ctx, number, 'reporting-batch', r);
      plant(
        ctx,
        'RM-CHG-001/via-commit-only',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked only through the deployed commit's message (${number}, approved normal change); no pipeline variables, MR titles and descriptions without CHG numbers.`,
      );
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -11,
    minuteOfDay: 10 * 60 + 30,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const mrs = plainMrs(ctx, 'identity-gateway', 2);
      mrs[1] = { ...mrs[1], description: `${mrs[1].description}\n\nChange request: ${number}` };
      const r = release(ctx, 'identity-gateway', { mrs, manualEnvs: ['production'] });
      compliantChange(ctx, number, 'identity-gateway', r);
      plant(
        ctx,
        'RM-CHG-001/via-mr-description-only',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked only through the description of a shipped MR (${number}, approved normal change); GitLab's merge commit message carries the MR title, not its description.`,
      );
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -8,
    minuteOfDay: 16 * 60 + 5,
    build(ctx) {
      const r = release(ctx, 'notifications-worker', { outcome: 'failed' });
      plant(
        ctx,
        'RM-CHG-001/failed-no-change',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, 'production'),
        'Failed production deployment with no change: only successful production deployments are audited.',
      );
    },
  },
  {
    service: 'payments-api',
    dayOffset: -7,
    minuteOfDay: 11 * 60 + 11,
    build(ctx) {
      const r = release(ctx, 'payments-api', { manualEnvs: [], pipelineAt: ctx.deployAt - 10 * MINUTE });
      plant(
        ctx,
        'RM-CHG-001/staging-no-change',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, STAGING),
        'Staging deployment (tier staging) with no change: not a production deployment.',
      );
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -6,
    minuteOfDay: 12 * 60,
    build(ctx) {
      // The first deployment to this environment: in the estate it ships only this release's MR.
      ctx.estate.cursor.services['identity-gateway'].pendingMrs['prod-sandbox'] = [];
      const r = release(ctx, 'identity-gateway', { staging: false, manualEnvs: ['prod-sandbox'] });
      plant(
        ctx,
        'RM-CHG-001/tier-other-no-change',
        'RM-CHG-001',
        'near-miss',
        only(r.deployments, 'prod-sandbox'),
        'Deployment to `prod-sandbox` with no change: the name matches the production patterns but GitLab says tier `other`, and the upstream tier wins.',
      );
    },
  },
  // ---------------------------------------------------------------- RM-CHG-002 violations
  {
    service: 'payments-api',
    dayOffset: -13,
    minuteOfDay: 15 * 60,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'payments-api', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 30 * HOUR;
      const approvals = approvedBefore(ctx, number, created + 10 * MINUTE, start + 40 * MINUTE, start + HOUR);
      const change = customChange(ctx, number, 'payments-api', r, created)
        .to(created + 10 * MINUTE, ctx.cast.releaseManagers[1].userName, {
          state: 'assess',
          approval: 'requested',
        })
        .to(created + 2 * HOUR, ctx.cast.releaseManagers[1].userName, { state: 'authorize' })
        .to(start + HOUR, approvals.approvers[1], {
          state: 'scheduled',
          approval: 'approved',
          approvalSetAt: iso(start + HOUR),
        })
        .to(start + HOUR + 5 * MINUTE, ctx.cast.releaseManagers[0].userName, {
          state: 'implement',
          workStart: iso(start),
        })
        .to(start + 26 * HOUR, ctx.cast.releaseManagers[0].userName, {
          state: 'closed',
          workEnd: iso(r.lastFinish),
          closedAt: iso(start + 26 * HOUR),
          closedBy: ctx.cast.releaseManagers[0].userName,
          closeCode: 'successful',
          closeNotes: 'Deployed.',
        })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(...approvals.records);
      plant(
        ctx,
        'RM-CHG-002/approved-after-start',
        'RM-CHG-002',
        'violation',
        only(r.deployments, 'production'),
        `Linked normal change ${number} was approved (approval_set) 1 h after the deployment started.`,
      );
    },
  },
  {
    service: 'ledger-service',
    dayOffset: -10,
    minuteOfDay: 10 * 60,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'ledger-service', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 28 * HOUR;
      const approvals = approvedBefore(
        ctx,
        number,
        created + 15 * MINUTE,
        start - 5 * HOUR,
        start - 3 * HOUR,
      );
      const change = customChange(ctx, number, 'ledger-service', r, created)
        .to(created + 15 * MINUTE, ctx.cast.releaseManagers[1].userName, {
          state: 'assess',
          approval: 'requested',
        })
        .to(start - 3 * HOUR, approvals.approvers[1], {
          approval: 'approved',
          approvalSetAt: iso(start - 3 * HOUR),
        })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(...approvals.records);
      plant(
        ctx,
        'RM-CHG-002/approved-but-assess',
        'RM-CHG-002',
        'violation',
        only(r.deployments, 'live'),
        `Linked normal change ${number} says approval "approved" (set 3 h before the start) but its state is still Assess (-4): not approved whatever the approval field says.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -5,
    minuteOfDay: 10 * 60 + 20,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'reporting-batch', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 26 * HOUR;
      const approvals = approvedBefore(
        ctx,
        number,
        created + 10 * MINUTE,
        start - 8 * HOUR,
        start - 5 * HOUR,
      );
      const rm = ctx.cast.releaseManagers[0].userName;
      const change = customChange(ctx, number, 'reporting-batch', r, created)
        .to(created + 10 * MINUTE, ctx.cast.releaseManagers[1].userName, {
          state: 'assess',
          approval: 'requested',
        })
        .to(start - 5 * HOUR, approvals.approvers[1], {
          state: 'scheduled',
          approval: 'approved',
          approvalSetAt: iso(start - 5 * HOUR),
        })
        .to(start, rm, { state: 'implement', workStart: iso(start) })
        .to(r.lastFinish + 2 * HOUR, rm, { state: 'canceled', closeNotes: 'Canceled after implementation.' })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(...approvals.records);
      plant(
        ctx,
        'RM-CHG-002/canceled',
        'RM-CHG-002',
        'violation',
        only(r.deployments, 'production'),
        `Linked normal change ${number} was approved before the start but is now Canceled (4): a canceled change is not approved.`,
      );
    },
  },
  {
    service: 'notifications-worker',
    dayOffset: -12,
    minuteOfDay: 14 * 60,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'notifications-worker', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 30 * HOUR;
      const [a1, a2] = ctx.rng.sample(ctx.cast.approvers, 2).map((p) => p.userName);
      const requested = created + 10 * MINUTE;
      const change = customChange(ctx, number, 'notifications-worker', r, created)
        .to(requested, ctx.cast.releaseManagers[1].userName, { state: 'assess', approval: 'requested' })
        .to(start - 6 * HOUR, a1, { state: 'authorize' })
        // Out of the box a rejection sends the change back to New.
        .to(start - 4 * HOUR, a2, {
          state: 'new',
          approval: 'rejected',
          approvalSetAt: iso(start - 4 * HOUR),
        })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(
        approvalRecord(number, a1, CAB_GROUP, requested, [
          { at: start - 6 * HOUR, state: 'approved', comment: 'Ok.' },
        ]),
        approvalRecord(number, a2, CAB_GROUP, requested, [
          { at: start - 4 * HOUR, state: 'rejected', comment: 'Rollback plan missing.' },
        ]),
      );
      plant(
        ctx,
        'RM-CHG-002/rejected',
        'RM-CHG-002',
        'violation',
        only(r.deployments, 'production'),
        `Linked normal change ${number} was rejected (approval "rejected", state back to New) 4 h before the deployment.`,
      );
    },
  },
  {
    service: 'payments-api',
    dayOffset: -6,
    minuteOfDay: 9 * 60 + 50,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'payments-api', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 27 * HOUR;
      const approvals = approvedBefore(
        ctx,
        number,
        created + 10 * MINUTE,
        start - 5 * HOUR,
        start - 3 * HOUR,
      );
      const rm = ctx.cast.releaseManagers[0].userName;
      const resolveAt = ctx.t0 + RESOLVE_AFTER;
      const reopenAt = ctx.t0 + REOPEN_AFTER;
      const change = customChange(ctx, number, 'payments-api', r, created)
        .to(created + 10 * MINUTE, ctx.cast.releaseManagers[1].userName, {
          state: 'assess',
          approval: 'requested',
        })
        .to(start - 5 * HOUR, approvals.approvers[0], { state: 'authorize' })
        .to(start - 3 * HOUR, approvals.approvers[1], {
          approval: 'approved',
          approvalSetAt: iso(start - 3 * HOUR),
        })
        .to(resolveAt, rm, { state: 'review', workStart: iso(start), workEnd: iso(r.lastFinish) })
        .to(reopenAt, rm, { state: 'canceled', closeNotes: 'Canceled during review.' })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(...approvals.records);
      plant(
        ctx,
        'RM-CHG-002/authorize-then-canceled',
        'RM-CHG-002',
        'violation',
        only(r.deployments, 'production'),
        `Linked normal change ${number} is approved (3 h before the start) but stuck in Authorize (-3): flagged at generation; at generation + 6 h it moves to Review (resolves); at generation + 30 h it is canceled (reopens).`,
        [
          { from: resolveAt, flagged: false },
          { from: reopenAt, flagged: true },
        ],
      );
    },
  },
  // ---------------------------------------------------------------- RM-CHG-002 near-misses
  {
    service: 'notifications-worker',
    dayOffset: -4,
    minuteOfDay: 14 * 60,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'notifications-worker', {
        variables: changeVariable(number),
        pipelineAt: ctx.deployAt - 50 * MINUTE,
      });
      const start = r.firstStart;
      const created = start - 26 * HOUR;
      const approvals = approvedBefore(
        ctx,
        number,
        created + 10 * MINUTE,
        start - 30 * MINUTE,
        start - MINUTE,
      );
      const rm = ctx.cast.releaseManagers[0].userName;
      const change = customChange(ctx, number, 'notifications-worker', r, created)
        .to(created + 10 * MINUTE, ctx.cast.releaseManagers[1].userName, {
          state: 'assess',
          approval: 'requested',
        })
        .to(start - 30 * MINUTE, approvals.approvers[0], { state: 'authorize' })
        .to(start - MINUTE, approvals.approvers[1], {
          state: 'scheduled',
          approval: 'approved',
          approvalSetAt: iso(start - MINUTE),
        })
        .to(start, rm, { state: 'implement', workStart: iso(start) })
        .to(r.lastFinish + 20 * MINUTE, rm, { state: 'review', workEnd: iso(r.lastFinish) })
        .to(r.lastFinish + 20 * HOUR, rm, {
          state: 'closed',
          closedAt: iso(r.lastFinish + 20 * HOUR),
          closedBy: rm,
          closeCode: 'successful',
          closeNotes: 'Deployed.',
        })
        .build();
      ctx.estate.changes.push(change);
      ctx.estate.changeApprovals.push(...approvals.records);
      plant(
        ctx,
        'RM-CHG-002/approved-1-minute-before',
        'RM-CHG-002',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked normal change ${number} approved 1 minute before the deploying job started (the deployment record itself was created 50 minutes earlier, with the pipeline: started means deployable.started_at).`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -3,
    minuteOfDay: 11 * 60 + 30,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'reporting-batch', { variables: changeVariable(number) });
      const start = r.firstStart;
      const created = start - 2 * HOUR;
      const rm = ctx.cast.releaseManagers[0].userName;
      const change = customChange(ctx, number, 'reporting-batch', r, created, 'standard')
        .to(created + 2 * MINUTE, rm, { state: 'scheduled' })
        .to(start, rm, { state: 'implement', workStart: iso(start) })
        .to(r.lastFinish + 15 * MINUTE, rm, { state: 'review', workEnd: iso(r.lastFinish) })
        .to(r.lastFinish + 3 * HOUR, rm, {
          state: 'closed',
          closedAt: iso(r.lastFinish + 3 * HOUR),
          closedBy: rm,
          closeCode: 'successful',
          closeNotes: 'Standard change completed.',
        })
        .build();
      ctx.estate.changes.push(change);
      plant(
        ctx,
        'RM-CHG-002/standard-not-requested',
        'RM-CHG-002',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked standard change ${number} with approval "not requested": standard changes are pre-approved and pass.`,
      );
    },
  },
  {
    service: 'identity-gateway',
    dayOffset: -5,
    minuteOfDay: 15 * 60 + 15,
    build(ctx) {
      const first = allocateChangeNumber(ctx.estate);
      const second = allocateChangeNumber(ctx.estate);
      const mrs = plainMrs(ctx, 'identity-gateway', 2);
      mrs[0] = { ...mrs[0], title: `${mrs[0].title} (${second})` };
      const r = release(ctx, 'identity-gateway', {
        variables: changeVariable(first),
        mrs,
        manualEnvs: ['production'],
      });
      compliantChange(ctx, first, 'identity-gateway', r);
      compliantChange(ctx, second, 'identity-gateway', r);
      plant(
        ctx,
        'RM-CHG-002/two-changes-both-approved',
        'RM-CHG-002',
        'near-miss',
        only(r.deployments, 'production'),
        `Links two normal changes, ${first} (pipeline variable) and ${second} (MR title), both approved hours before the start.`,
      );
    },
  },
];
