import {
  approvalRecord,
  CAB_GROUP,
  ChangeStory,
  ECAB_GROUP,
  routineNormalChange,
  type ChangeWithApprovals,
} from './change.builder';
import { environmentApprovers, isHighImpact, type Cast } from './estate.cast';
import { HOUR, MINUTE, iso } from './estate.clock';
import type {
  ApproverState,
  ChangeType,
  CiBuild,
  Deployment,
  Estate,
  Instant,
  PlantedCase,
  PlantedSubject,
} from './estate.model';
import type { Rng } from './prng.util';
import type { JenkinsRelease } from './jenkins.builder';
import {
  buildRelease,
  workDescription,
  workTitle,
  type MrSpec,
  type ReleaseResult,
  type ReleaseSpec,
} from './release.builder';

/**
 * What the planted scenarios share: the context a slot runs in, building blocks (a release with
 * the routine defaults, a compliant change, a change whose story the case writes), and `plant`,
 * which records a case in `estate.planted`. The manifest is read from that list only.
 */

/** Time travel: after generation + 6 h one finding resolves; after generation + 30 h one reopens. */
export const RESOLVE_AFTER = 6 * HOUR;
export const REOPEN_AFTER = 30 * HOUR;

/** Change numbers referenced by deployments but absent from ServiceNow (the second one only until it is created). */
export const MISSING_CHANGE = 'CHG0999901';
export const LATE_CHANGE = 'CHG0999902';

export interface PlantContext {
  estate: Estate;
  cast: Cast;
  /** The generation instant (ms). */
  t0: number;
  /** The slot's deployment start (ms). */
  deployAt: number;
  rng: Rng;
}

export interface PlantedSlot {
  service: string;
  /** Days relative to the generation day (negative: in the past). */
  dayOffset: number;
  /** Minutes after midnight UTC at which the slot's deployment starts. */
  minuteOfDay: number;
  build(ctx: PlantContext): void;
}

/** What the generator needs before the history: estate-level facts of the planted cases. */
export interface SetupContext {
  estate: Estate;
  cast: Cast;
  t0: number;
  /** Midnight UTC of the generation day (ms). */
  today: number;
}

/**
 * Facts the slots leave for the cases that are decided over the whole history (rates over a
 * window, the first deployment of a service): what the generator made, never re-derived.
 */
export interface PlantedFacts {
  /** GitLab deployments that link an emergency change, per service. */
  emergencyDeployments: Map<string, Set<number>>;
  /** Production rollbacks made by the slots, per case id. */
  rollbacks: Map<string, Deployment[]>;
  /** Jenkins releases of the slots, by case id. */
  jenkinsReleases: Map<string, JenkinsRelease>;
}

const FACTS = new WeakMap<Estate, PlantedFacts>();

export function factsOf(estate: Estate): PlantedFacts {
  let facts = FACTS.get(estate);
  if (!facts) {
    facts = { emergencyDeployments: new Map(), rollbacks: new Map(), jenkinsReleases: new Map() };
    FACTS.set(estate, facts);
  }
  return facts;
}

export function serviceOf(ctx: { estate: Estate }, name: string) {
  const service = ctx.estate.services.find((s) => s.name === name);
  if (!service) throw new Error(`planted case: unknown service "${name}"`);
  return service;
}

export function productionEnvs(ctx: { estate: Estate }, service: string): string[] {
  return ctx.estate.environments
    .filter((e) => e.service === service && e.tier === 'production')
    .map((e) => e.name);
}

export function plainMrs(ctx: PlantContext, service: string, count: number): MrSpec[] {
  const devs = ctx.cast.developers(serviceOf(ctx, service).team);
  return Array.from({ length: count }, () => {
    const [author, approver] = ctx.rng.sample(devs, 2).map((p) => p.userName);
    const title = workTitle(ctx.rng);
    return { title, description: workDescription(ctx.rng, title), author, approver, merger: approver };
  });
}

/**
 * A release as routine makes it (staging, then the production environments by hand, a version,
 * dual control on a high-impact service's protected environments), with the case's overrides.
 */
export function release(ctx: PlantContext, service: string, overrides: Partial<ReleaseSpec>): ReleaseResult {
  const deployer = overrides.deployer ?? ctx.cast.releaseManagers[0].userName;
  return buildRelease(ctx.estate, {
    service,
    pipelineAt: ctx.deployAt - 45 * MINUTE,
    staging: true,
    manualEnvs: productionEnvs(ctx, service),
    deployAt: ctx.deployAt,
    mrs: plainMrs(ctx, service, 1),
    tag: false,
    variables: [],
    versionVariable: true,
    deployer,
    outcome: 'success',
    envApprovers: isHighImpact(ctx.estate, service) ? environmentApprovers(ctx.cast, deployer, ctx.rng) : [],
    rng: ctx.rng,
    ...overrides,
  });
}

export function changeVariable(number: string) {
  return [{ key: 'CHANGE_ID', value: number, variableType: 'env_var' as const }];
}

export function store(ctx: { estate: Estate }, built: ChangeWithApprovals): void {
  ctx.estate.changes.push(built.change);
  ctx.estate.changeApprovals.push(...built.approvals);
}

/** A compliant normal change around a release's deployments (two CAB approvals hours before). */
export function compliantChange(
  ctx: PlantContext,
  number: string,
  service: string,
  window: { firstStart: number; lastFinish: number; version: string; mergeRequests?: { title: string }[] },
): void {
  const s = serviceOf(ctx, service);
  store(
    ctx,
    routineNormalChange({
      number,
      service,
      team: s.team,
      deployStart: window.firstStart,
      lastFinish: window.lastFinish,
      requester: ctx.cast.releaseManagers[1].userName,
      implementer: ctx.cast.releaseManagers[0].userName,
      approvers: ctx.rng.sample(ctx.cast.approvers, 2).map((p) => p.userName),
      title: window.mergeRequests?.[0]?.title ?? 'release',
      version: window.version,
      rng: ctx.rng,
    }),
  );
}

/** A change whose story the case writes: drafted like a routine normal change of the release. */
export function customChange(
  ctx: PlantContext,
  number: string,
  service: string,
  window: { firstStart: number; version: string },
  createdAt: number,
  type: ChangeType = 'normal',
) {
  const s = serviceOf(ctx, service);
  const plannedStart = Math.floor((window.firstStart - HOUR) / (15 * MINUTE)) * 15 * MINUTE;
  return new ChangeStory({
    number,
    type,
    createdAt,
    createdBy: ctx.cast.releaseManagers[1].userName,
    requestedBy: ctx.cast.releaseManagers[1].userName,
    assignedTo: ctx.cast.releaseManagers[0].userName,
    assignmentGroup: `${s.team}-team`,
    service,
    shortDescription: `Deploy ${service} ${window.version}`,
    description: `Release ${window.version} of ${service}.`,
    plannedStart,
    plannedEnd: plannedStart + 4 * HOUR,
  });
}

export function only(deployments: Deployment[], env: string): Deployment {
  const found = deployments.filter((d) => d.environment === env);
  if (found.length !== 1)
    throw new Error(`planted case: expected one deployment to ${env}, got ${found.length}`);
  return found[0];
}

export function approvedBefore(
  ctx: PlantContext,
  number: string,
  requestedAt: number,
  first: number,
  second: number,
) {
  const [a1, a2] = ctx.rng.sample(ctx.cast.approvers, 2).map((p) => p.userName);
  return {
    approvers: [a1, a2],
    records: [
      approvalRecord(number, a1, CAB_GROUP, requestedAt, [
        { at: first, state: 'approved', comment: 'Approved.' },
      ]),
      approvalRecord(number, a2, CAB_GROUP, requestedAt, [
        { at: second, state: 'approved', comment: 'Approved.' },
      ]),
    ],
  };
}

export interface CaseSpec {
  id: string;
  controlId: string;
  kind: PlantedCase['kind'];
  subject: PlantedSubject;
  /** When the case exists (its subject can be seen); its first phase. */
  from: Instant | number;
  note: string;
  /** Later changes of whether it is flagged. */
  later?: { from: Instant | number; flagged: boolean }[];
  /** The first phase's flag when it is not the kind's (a near-miss that becomes a violation is never this). */
  flagged?: boolean;
  acceptedUntil?: Instant;
}

const asInstant = (at: Instant | number): Instant => (typeof at === 'number' ? iso(at) : at);

/** Records a planted case; its phases start at `from`. */
export function plantCase(estate: Estate, spec: CaseSpec): void {
  estate.planted.push({
    id: spec.id,
    controlId: spec.controlId,
    kind: spec.kind,
    subject: spec.subject,
    phases: [
      { from: asInstant(spec.from), flagged: spec.flagged ?? spec.kind === 'violation' },
      ...(spec.later ?? []).map((p) => ({ from: asInstant(p.from), flagged: p.flagged })),
    ],
    note: spec.note,
    ...(spec.acceptedUntil ? { acceptedUntil: spec.acceptedUntil } : {}),
  });
}

export function deploymentSubject(ctx: { estate: Estate }, d: Deployment): PlantedSubject {
  const service = serviceOf(ctx, d.service);
  return { type: 'deployment', service: service.name, project: service.gitlabPath, deploymentId: d.id };
}

export function jenkinsSubject(build: CiBuild): PlantedSubject {
  return {
    type: 'deployment',
    system: 'jenkins',
    service: build.service ?? '',
    job: build.job,
    number: build.number,
  };
}

/** The finish of a Jenkins build (ms): when Jenkins shows its result. */
export function finishOf(build: CiBuild): number {
  return Date.parse(build.startedAt) + build.durationMs;
}

/** A GitLab deployment case, flagged (or not) from the deployment's finish. */
export function plant(
  ctx: PlantContext,
  id: string,
  controlId: string,
  kind: PlantedCase['kind'],
  deployment: Deployment,
  note: string,
  laterPhases: { from: number; flagged: boolean }[] = [],
): void {
  plantCase(ctx.estate, {
    id,
    controlId,
    kind,
    subject: deploymentSubject(ctx, deployment),
    from: deployment.finishedAt,
    note,
    later: laterPhases,
  });
}

export interface StoryOptions {
  type?: ChangeType;
  /** The planned window (default: from an hour before the start, four hours long). */
  planned?: { start: number; end: number };
  /** The approval records (default: two CAB approvers, approved; ECAB for an emergency). */
  approvers?: { userName: string; state?: ApproverState }[];
  requester?: string;
  /** The service whose CI the change names (`cmdb_ci`); default the deployed one. */
  ciService?: string | null;
  /** Hours after the last deployment's finish at which it is closed; null: it stays in Review. */
  closeAfterHours?: number | null;
}

/**
 * A change that goes through the whole compliant lifecycle around a release's deployments —
 * requested, approved before the start (hours before for a normal change, minutes before for an
 * emergency one), implemented, reviewed and closed — with the case's twists. Stored in the estate.
 */
export function approvedChange(
  ctx: PlantContext,
  number: string,
  service: string,
  window: { firstStart: number; lastFinish: number; version: string },
  options: StoryOptions = {},
): ChangeWithApprovals {
  const s = serviceOf(ctx, service);
  const type = options.type ?? 'normal';
  const emergency = type === 'emergency';
  const requester = options.requester ?? ctx.cast.releaseManagers[1].userName;
  const implementer = ctx.cast.releaseManagers[0].userName;
  const start = window.firstStart;
  const approvers: { userName: string; state?: ApproverState }[] =
    options.approvers ??
    ctx.rng
      .sample(emergency ? ctx.cast.emergencyApprovers : ctx.cast.approvers, 2)
      .map((p) => ({ userName: p.userName }));
  const created = start - (emergency ? 2 * HOUR : 30 * HOUR);
  const requested = created + 10 * MINUTE;
  const decisions = approvers.map((_, i) =>
    emergency ? start - 40 * MINUTE + i * 5 * MINUTE : start - 6 * HOUR + i * HOUR,
  );
  const planned = options.planned ?? {
    start: Math.floor((start - HOUR) / (15 * MINUTE)) * 15 * MINUTE,
    end: Math.floor((start - HOUR) / (15 * MINUTE)) * 15 * MINUTE + 4 * HOUR,
  };
  const approvedAt = decisions.length ? decisions[decisions.length - 1] : requested;
  const story = new ChangeStory({
    number,
    type,
    createdAt: created,
    createdBy: requester,
    requestedBy: requester,
    assignedTo: implementer,
    assignmentGroup: `${s.team}-team`,
    service: options.ciService === undefined ? service : options.ciService,
    risk: emergency ? 'high' : 'moderate',
    shortDescription: emergency
      ? `Emergency fix: ${service} ${window.version}`
      : `Deploy ${service} ${window.version}`,
    description: `Release ${window.version} of ${service}.`,
    plannedStart: planned.start,
    plannedEnd: planned.end,
  })
    .to(requested, requester, { state: 'assess', approval: 'requested' })
    .to(approvedAt, approvers[approvers.length - 1]?.userName ?? requester, {
      state: 'scheduled',
      approval: 'approved',
      approvalSetAt: iso(approvedAt),
    })
    .to(start, implementer, { state: 'implement', workStart: iso(start) })
    .to(window.lastFinish + 20 * MINUTE, implementer, { state: 'review', workEnd: iso(window.lastFinish) });
  const closeAfter = options.closeAfterHours === undefined ? 20 : options.closeAfterHours;
  if (closeAfter !== null) {
    const closed = window.lastFinish + closeAfter * HOUR;
    story.to(closed, implementer, {
      state: 'closed',
      closedAt: iso(closed),
      closedBy: implementer,
      closeCode: 'successful',
      closeNotes: emergency ? 'Post-implementation review done.' : 'Deployed and verified.',
    });
  }
  const built: ChangeWithApprovals = {
    change: story.build(),
    approvals: approvers.map((a, i) =>
      approvalRecord(number, a.userName, emergency ? ECAB_GROUP : CAB_GROUP, requested, [
        {
          at: decisions[i],
          state: a.state ?? 'approved',
          comment: a.state === 'not_required' ? '' : 'Approved.',
        },
      ]),
    ),
  };
  store(ctx, built);
  return built;
}
