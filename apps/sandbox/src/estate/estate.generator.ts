import {
  allocateChangeNumber,
  CAB_GROUP,
  ChangeStory,
  approvalRecord,
  routineEmergencyChange,
  routineNormalChange,
  routineStandardChange,
  type ChangeWithApprovals,
  type RoutineChangeInput,
} from './change.builder';
import { castOf, environmentApprovers, isHighImpact, type Cast } from './estate.cast';
import { INFRA_CHANGES } from './estate.catalog';
import { DAY, HOUR, MINUTE, dayStart, iso } from './estate.clock';
import type { Estate, PipelineVariable, Service } from './estate.model';
import { buildSkeleton } from './estate.skeleton';
import { buildJenkinsRelease, buildMaintenanceRun } from './jenkins.builder';
import { PLANTED_SLOTS, plantFinish, plantSetup, type PlantedSlot } from './planted.scenarios';
import { Rng } from './prng.util';
import {
  buildOpenMergeRequest,
  buildRelease,
  workDescription,
  workTitle,
  type MrSpec,
} from './release.builder';

export interface GenerateEstateOptions {
  /** Same seed (with the same scale and now) → the same estate, record for record. */
  seed: number;
  /** 1 ≈ six services and ~60 production deployments over four weeks; N multiplies both. */
  scale: number;
  /** The present of the estate: history ends here; a few records of today may lie after it. */
  now: Date;
  /** Days of history before `now` (default 28, at least 21 so every planted case fits). */
  historyDays?: number;
}

const MIN_HISTORY_DAYS = 21;

/**
 * Generates the simulated estate: routine, compliant delivery (releases through staging to
 * production, each with an approved change linked by a pipeline variable, an MR title or the
 * deployed commit) around the planted cases of `planted.scenarios.ts`.
 */
export function generateEstate(options: GenerateEstateOptions): Estate {
  const { seed, scale, now } = options;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`generateEstate: seed must be a non-negative integer, got ${seed}`);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new Error(`generateEstate: scale must be a number in (0, 1000], got ${scale}`);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new Error('generateEstate: now must be a valid Date');
  const historyDays = Math.max(options.historyDays ?? 28, MIN_HISTORY_DAYS);
  const t0 = now.getTime();
  const estate = buildSkeleton(seed, scale, t0, historyDays);
  const today = dayStart(t0);
  const firstDay = today - historyDays * DAY;
  const slots = new Map<string, PlantedSlot>();
  for (const slot of PLANTED_SLOTS) {
    const key = slotKey(slot.service, today + slot.dayOffset * DAY);
    if (slots.has(key))
      throw new Error(`planted cases: two slots for ${slot.service} on day ${slot.dayOffset}`);
    slots.set(key, slot);
  }

  const cast = castOf(estate);
  plantSetup({ estate, cast, t0, today });
  confidentialChange(estate, cast, firstDay - DAY + 8 * HOUR);
  for (let day = firstDay; day <= today; day += DAY) generateDay(estate, day, slots, t0);
  estate.horizon = iso(today + DAY);
  plantFinish(estate);
  estate.planted.sort((a, b) => a.id.localeCompare(b.id));
  return estate;
}

/**
 * Moves the estate's present to `to`, generating the routine activity of every day up to it (new
 * releases with their approvals and closures). Deterministic: advancing in one step or in several
 * gives the same records. Mutates and returns the estate; an earlier `to` changes nothing.
 * Records already planned past the old present (closures, the planted time-travel events) simply
 * become visible as the clock passes them.
 */
export function advanceEstate(estate: Estate, to: Date): Estate {
  if (!(to instanceof Date) || Number.isNaN(to.getTime()))
    throw new Error('advanceEstate: to must be a valid Date');
  const target = to.getTime();
  const t0 = Date.parse(estate.generatedAt);
  let next = Date.parse(estate.horizon);
  const grows = next <= target;
  while (next <= target) {
    generateDay(estate, next, new Map(), t0);
    next += DAY;
    estate.horizon = iso(next);
  }
  if (iso(target) > estate.now) estate.now = iso(target);
  if (grows) estate.version++;
  return estate;
}

function slotKey(service: string, day: number): string {
  return `${service}@${day}`;
}

interface DayPlan {
  at: number;
  order: number;
  run: () => void;
}

function generateDay(estate: Estate, day: number, slots: Map<string, PlantedSlot>, t0: number): void {
  const cast = castOf(estate);
  const dayIndex = Math.round(day / DAY);
  const weekday = new Date(day).getUTCDay();
  const workday = weekday >= 1 && weekday <= 5;
  const plans: DayPlan[] = [];
  estate.services
    .filter((s) => !s.archived)
    .forEach((service, order) => {
      // A service launched later has no history before its launch day.
      if (service.createdAt > iso(day)) return;
      const slot = slots.get(slotKey(service.name, day));
      if (slot) {
        const deployAt = day + slot.minuteOfDay * MINUTE;
        const rng = Rng.for(estate.seed, 'planted', service.name, dayIndex);
        plans.push({
          at: deployAt - 45 * MINUTE,
          order,
          run: () => slot.build({ estate, cast, t0, deployAt, rng }),
        });
        return;
      }
      if (!workday) return;
      const rng = Rng.for(estate.seed, 'release', service.name, dayIndex);
      const roll = rng.float();
      const freeze = estate.cursor.services[service.name].freeze;
      const frozen = freeze !== undefined && iso(day) >= freeze.from && iso(day) < freeze.until;
      if (roll < 0.35 && !frozen) {
        const deployAt = day + rng.int(9 * 60, 16 * 60 + 30) * MINUTE;
        const pipelineAt = deployAt - rng.int(20, 90) * MINUTE;
        plans.push({
          at: pipelineAt,
          order,
          run: () => productionRelease(estate, cast, service, pipelineAt, deployAt, rng),
        });
      } else if (roll < 0.65) {
        const at = day + rng.int(8 * 60, 17 * 60) * MINUTE;
        plans.push({ at, order, run: () => stagingRelease(estate, cast, service, at, rng) });
      }
      const draftRng = Rng.for(estate.seed, 'draft', service.name, dayIndex);
      if (draftRng.chance(0.12)) {
        const at = day + draftRng.int(7 * 60, 19 * 60) * MINUTE;
        const author = draftRng.pick(cast.developers(service.team)).userName;
        plans.push({
          at,
          order,
          run: () => buildOpenMergeRequest(estate, service.name, author, at, draftRng),
        });
      }
    });
  // The nightly maintenance job of the Jenkins instance (timer-started, no artifacts).
  const nightly = Rng.for(estate.seed, 'nightly', dayIndex);
  plans.push({
    at: day + 2 * HOUR + nightly.int(0, 10) * MINUTE,
    order: -2,
    run: () => buildMaintenanceRun(estate, 'platform/tools/workspace-cleanup', day + 2 * HOUR, nightly),
  });
  const infraRng = Rng.for(estate.seed, 'infra', dayIndex);
  if (workday && infraRng.chance(0.15 * Math.max(1, estate.scale))) {
    const at = day + infraRng.int(18 * 60, 22 * 60) * MINUTE;
    plans.push({ at, order: -1, run: () => infraChange(estate, cast, at, infraRng) });
  }
  plans.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const plan of plans) plan.run();
}

function productionEnvs(estate: Estate, service: string): string[] {
  return estate.environments
    .filter((e) => e.service === service && e.tier === 'production')
    .map((e) => e.name);
}

function mergeRequests(cast: Cast, service: Service, count: number, rng: Rng): MrSpec[] {
  const devs = cast.developers(service.team);
  return Array.from({ length: count }, () => {
    const [author, approver] = rng.sample(devs, 2);
    const title = workTitle(rng);
    return {
      title,
      description: workDescription(rng, title),
      author: author.userName,
      approver: approver.userName,
      merger: approver.userName,
    };
  });
}

/**
 * A compliant production release. Its change is linked one of three ways (pipeline variable, MR
 * title, or the deployed commit's message; a Jenkins build parameter for a Jenkins-deployed
 * service) and is normal (two CAB approvals), standard (only for services that are not
 * high-impact, as a standard change carries no approvers) or, at most once a month per service,
 * emergency (two ECAB approvals, closed within a day). High-impact services deploy to protected
 * environments that two people other than the deployer approve. Every production release carries
 * its version (tag or `VERSION`), which the CMDB records.
 */
function productionRelease(
  estate: Estate,
  cast: Cast,
  service: Service,
  pipelineAt: number,
  deployAt: number,
  rng: Rng,
): void {
  const cursor = estate.cursor.services[service.name];
  const devs = cast.developers(service.team);
  const number = allocateChangeNumber(estate);
  const modeRoll = rng.float();
  const jenkins = service.deployVia === 'jenkins';
  const mode = jenkins ? 'variable' : modeRoll < 0.6 ? 'variable' : modeRoll < 0.85 ? 'mr-title' : 'commit';
  const mrs = mergeRequests(cast, service, rng.int(1, 3), rng);
  if (mode === 'mr-title') {
    const last = mrs[mrs.length - 1];
    mrs[mrs.length - 1] = { ...last, title: `${last.title} (${number})` };
  }
  const variables: PipelineVariable[] = [];
  if (mode === 'variable') variables.push({ key: 'CHANGE_ID', value: number, variableType: 'env_var' });
  if (rng.chance(0.3)) variables.push({ key: 'DEPLOY_STRATEGY', value: 'rolling' });
  const deployer =
    rng.chance(0.3) && !jenkins ? cast.deployBot.userName : rng.pick(cast.releaseManagers).userName;
  const implementer =
    deployer === cast.deployBot.userName ? rng.pick(cast.releaseManagers).userName : deployer;
  const highImpact = isHighImpact(estate, service.name);
  const directCommit =
    mode === 'commit'
      ? { message: `Prepare release notes (${number})`, author: rng.pick(devs).userName }
      : undefined;
  let firstStart: number;
  let lastFinish: number;
  let version: string;
  if (jenkins) {
    const release = buildJenkinsRelease(estate, {
      service: service.name,
      buildAt: pipelineAt,
      mrs,
      production: {
        at: deployAt,
        deployer,
        variables: variables.map((v) => ({ name: v.key, value: v.value })),
        approver: rng.pick(cast.sres).userName,
      },
      rng,
    });
    ({ firstStart, lastFinish, version } = release);
  } else {
    const tag = rng.chance(0.3);
    const result = buildRelease(estate, {
      service: service.name,
      pipelineAt,
      staging: true,
      manualEnvs: productionEnvs(estate, service.name),
      deployAt,
      mrs,
      ...(directCommit ? { directCommit } : {}),
      tag,
      variables,
      versionVariable: true,
      deployer,
      outcome: rng.chance(0.06) ? 'failed-then-retry' : 'success',
      envApprovers: highImpact ? environmentApprovers(cast, deployer, rng) : [],
      rng,
    });
    ({ firstStart, lastFinish, version } = result);
  }

  const multiEnvironment = productionEnvs(estate, service.name).length > 1;
  const emergencyAllowed =
    !cursor.noRoutineEmergencies &&
    !multiEnvironment &&
    (cursor.lastEmergencyAt === null || deployAt - Date.parse(cursor.lastEmergencyAt) > 31 * DAY);
  const typeRoll = rng.float();
  const type =
    emergencyAllowed && typeRoll < 0.05 ? 'emergency' : !highImpact && typeRoll < 0.3 ? 'standard' : 'normal';
  const input: RoutineChangeInput = {
    number,
    service: service.name,
    team: service.team,
    deployStart: firstStart,
    lastFinish,
    requester: rng.pick([...cast.releaseManagers.map((p) => p.userName), devs[0].userName]),
    implementer,
    approvers: rng
      .sample(type === 'emergency' ? cast.emergencyApprovers : cast.approvers, 2)
      .map((p) => p.userName),
    title: mrs[0].title,
    version,
    rng,
  };
  const built: ChangeWithApprovals =
    type === 'emergency'
      ? routineEmergencyChange(input)
      : type === 'standard'
        ? routineStandardChange(input)
        : routineNormalChange(input);
  if (type === 'emergency') cursor.lastEmergencyAt = iso(deployAt);
  estate.changes.push(built.change);
  estate.changeApprovals.push(...built.approvals);
}

/** MRs merged and deployed to staging only; they ship with the service's next production release. */
function stagingRelease(estate: Estate, cast: Cast, service: Service, at: number, rng: Rng): void {
  if (service.deployVia === 'jenkins') {
    buildJenkinsRelease(estate, {
      service: service.name,
      buildAt: at,
      mrs: mergeRequests(cast, service, rng.int(1, 2), rng),
      production: null,
      rng,
    });
    return;
  }
  buildRelease(estate, {
    service: service.name,
    pipelineAt: at,
    staging: true,
    manualEnvs: [],
    deployAt: at,
    mrs: mergeRequests(cast, service, rng.int(1, 2), rng),
    tag: false,
    variables: [],
    versionVariable: rng.chance(0.5),
    deployer: rng.pick(cast.releaseManagers).userName,
    outcome: 'success',
    rng,
  });
}

/** An operational change with no deployment and no CI (patching, certificates …): approved and closed. */
function infraChange(estate: Estate, cast: Cast, at: number, rng: Rng): void {
  const number = allocateChangeNumber(estate);
  const requester = rng.pick(cast.sres).userName;
  const [a1, a2] = rng.sample(cast.approvers, 2).map((p) => p.userName);
  const created = at - rng.int(30, 60) * HOUR;
  const assess = created + 20 * MINUTE;
  const first = assess + rng.int(1, 4) * HOUR;
  const second = first + rng.int(1, 4) * HOUR;
  const title = rng.pick(INFRA_CHANGES);
  const change = new ChangeStory({
    number,
    type: 'normal',
    createdAt: created,
    createdBy: requester,
    requestedBy: requester,
    assignedTo: requester,
    assignmentGroup: 'SRE',
    service: null,
    category: 'Hardware',
    shortDescription: title,
    description: `${title}. Maintenance window agreed with the service owners.`,
    plannedStart: at - 30 * MINUTE,
    plannedEnd: at + 3 * HOUR,
  })
    .to(assess, requester, { state: 'assess', approval: 'requested' })
    .to(first, a1, { state: 'authorize' })
    .to(second, a2, { state: 'scheduled', approval: 'approved', approvalSetAt: iso(second) })
    .to(at, requester, { state: 'implement', workStart: iso(at) })
    .to(at + 2 * HOUR, requester, {
      state: 'closed',
      workEnd: iso(at + 90 * MINUTE),
      closedAt: iso(at + 2 * HOUR),
      closedBy: requester,
      closeCode: 'successful',
      closeNotes: 'Completed in the window.',
    })
    .build();
  estate.changes.push(change);
  estate.changeApprovals.push(
    approvalRecord(number, a1, CAB_GROUP, assess, [{ at: first, state: 'approved', comment: 'Approved.' }]),
    approvalRecord(number, a2, CAB_GROUP, assess, [{ at: second, state: 'approved', comment: 'Approved.' }]),
  );
}

/**
 * A security change restricted by ACL: the audit account cannot read it. It is the oldest change
 * by `sys_updated_on`, so the first page of a full read comes back one row short while more follow.
 */
function confidentialChange(estate: Estate, cast: Cast, at: number): void {
  const number = allocateChangeNumber(estate);
  const requester = cast.sres[0].userName;
  const approver = cast.approvers[0].userName;
  const change = new ChangeStory({
    number,
    type: 'normal',
    createdAt: at - 3 * HOUR,
    createdBy: requester,
    requestedBy: requester,
    assignedTo: requester,
    assignmentGroup: 'SRE',
    service: null,
    category: 'Security',
    risk: 'high',
    shortDescription: 'Rotate HSM master keys (restricted)',
    description: 'Restricted to the security team.',
    plannedStart: at,
    plannedEnd: at + 2 * HOUR,
    confidential: true,
  })
    .to(at - 2 * HOUR, approver, {
      state: 'scheduled',
      approval: 'approved',
      approvalSetAt: iso(at - 2 * HOUR),
    })
    .to(at, requester, { state: 'implement', workStart: iso(at) })
    .to(at + HOUR, requester, {
      state: 'closed',
      workEnd: iso(at + HOUR),
      closedAt: iso(at + HOUR),
      closedBy: requester,
      closeCode: 'successful',
      closeNotes: 'Done.',
    })
    .build();
  estate.changes.push(change);
}
