import { allocateChangeNumber } from './change.builder';
import { DAY, HOUR, MINUTE, iso } from './estate.clock';
import type { Deployment, Estate, Instant } from './estate.model';
import {
  approvedChange,
  changeVariable,
  factsOf,
  only,
  plainMrs,
  plant,
  plantCase,
  productionEnvs,
  release,
  type PlantContext,
  type PlantedSlot,
  type SetupContext,
} from './planted.support';

/**
 * Planted cases of the change controls beyond linking: RM-CHG-003 (deployment window), RM-CHG-004
 * (the change names the deployed service's CI), RM-EMG-001 (emergency review in time) and RM-EMG-002
 * (emergency rate of a service over 30 days).
 *
 * RM-EMG-002 is decided over a sliding window, so its cases are built where nothing else can move
 * the rate: `checkout-web` goes into a change freeze from its first emergency release until its
 * last one has left the window (no routine production release then), and `kyc-service`, launched
 * three weeks before the present, is in hypercare: only its planted releases reach production until
 * the window has passed. Their phases are computed from the deployments the generator made.
 */

/** The emergency releases of checkout-web (days relative to the present). */
const CHECKOUT_EMERGENCIES = [-11, -8, -5];
/** kyc-service's production releases since launch; the middle two are emergency hotfixes. */
const KYC_RELEASES = [
  { day: -20, emergency: false },
  { day: -16, emergency: true },
  { day: -12, emergency: true },
  { day: -7, emergency: false },
];

/** RM-EMG-002's defaults (controls.md). */
const WINDOW_DAYS = 30;
const MAX_SHARE = 0.2;
const MIN_DEPLOYMENTS = 5;

function emergencyRelease(ctx: PlantContext, service: string, emergency: boolean): Deployment[] {
  const number = allocateChangeNumber(ctx.estate);
  const r = release(ctx, service, {
    variables: changeVariable(number),
    mrs: plainMrs(ctx, service, 1),
  });
  approvedChange(ctx, number, service, r, emergency ? { type: 'emergency' } : {});
  const production = r.deployments.filter((d) => productionEnvs(ctx, service).includes(d.environment));
  if (emergency) {
    const set = factsOf(ctx.estate).emergencyDeployments.get(service) ?? new Set<number>();
    for (const d of production) set.add(d.id);
    factsOf(ctx.estate).emergencyDeployments.set(service, set);
  }
  return production;
}

export function setupChangeCases({ estate, today }: SetupContext): void {
  const checkout = estate.cursor.services['checkout-web'];
  const lastEmergency = Math.max(...CHECKOUT_EMERGENCIES);
  checkout.freeze = {
    from: iso(today + Math.min(...CHECKOUT_EMERGENCIES) * DAY),
    until: iso(today + (lastEmergency + WINDOW_DAYS + 1) * DAY),
  };
  const kyc = estate.cursor.services['kyc-service'];
  const lastKyc = Math.max(...KYC_RELEASES.map((r) => r.day));
  kyc.freeze = { from: iso(today - 60 * DAY), until: iso(today + (lastKyc + WINDOW_DAYS + 1) * DAY) };
  // Their emergencies are planted: routine ones would move the rates (and RM-EMG-001's cases).
  for (const name of ['checkout-web', 'kyc-service', 'identity-gateway', 'ledger-service', 'payments-api'])
    estate.cursor.services[name].noRoutineEmergencies = true;
}

/**
 * Whether RM-EMG-002 flags the service at each instant, as phases: a successful production
 * deployment counts from its finish (when it is `success`) while its start lies in the last
 * `WINDOW_DAYS`. `deployments` are all of the service's, which the freeze keeps complete.
 */
export function emergencyRateTimeline(
  deployments: { start: number; finish: number; emergency: boolean }[],
): { from: Instant; flagged: boolean }[] {
  const window = WINDOW_DAYS * DAY;
  const events = [...new Set(deployments.flatMap((d) => [d.finish, d.start + window + 1]))].sort(
    (a, b) => a - b,
  );
  const phases: { from: Instant; flagged: boolean }[] = [];
  for (const at of events) {
    const counted = deployments.filter((d) => d.finish <= at && d.start >= at - window);
    const emergencies = counted.filter((d) => d.emergency).length;
    const flagged = counted.length >= MIN_DEPLOYMENTS && emergencies / counted.length > MAX_SHARE;
    if (phases.length === 0 || phases[phases.length - 1].flagged !== flagged)
      phases.push({ from: iso(at), flagged });
  }
  return phases;
}

function productionHistory(estate: Estate, service: string) {
  const production = new Set(
    estate.environments.filter((e) => e.service === service && e.tier === 'production').map((e) => e.id),
  );
  const emergency = factsOf(estate).emergencyDeployments.get(service) ?? new Set<number>();
  return estate.deployments
    .filter((d) => d.service === service && production.has(d.environmentId) && d.status === 'success')
    .map((d) => ({
      start: Date.parse(d.job.startedAt),
      finish: Date.parse(d.finishedAt),
      emergency: emergency.has(d.id),
    }));
}

export function finishChangeCases(estate: Estate): void {
  const heavy = emergencyRateTimeline(productionHistory(estate, 'checkout-web'));
  const firstFlag = heavy.findIndex((p) => p.flagged);
  if (firstFlag < 0)
    throw new Error('planted case RM-EMG-002/emergency-heavy: the rate never goes above 20%');
  plantCase(estate, {
    id: 'RM-EMG-002/emergency-heavy',
    controlId: 'RM-EMG-002',
    kind: 'violation',
    subject: { type: 'service', service: 'checkout-web' },
    from: heavy[firstFlag].from,
    later: heavy.slice(firstFlag + 1),
    note: `Three emergency releases of checkout-web (days ${CHECKOUT_EMERGENCIES.join(', ')}; each to production and prod-eu) against its routine releases before the freeze that followed: more than 20% of its production deployments in 30 days linked an emergency change, with at least 5 of them. Flagged until the emergencies leave the window.`,
  });
  const kyc = productionHistory(estate, 'kyc-service');
  plantCase(estate, {
    id: 'RM-EMG-002/below-minimum',
    controlId: 'RM-EMG-002',
    kind: 'near-miss',
    subject: { type: 'service', service: 'kyc-service' },
    from: iso(Math.max(...kyc.map((d) => d.finish))),
    note: `kyc-service, launched three weeks ago, has had ${kyc.length} production deployments, ${kyc.filter((d) => d.emergency).length} of them emergency hotfixes: 50%, but fewer than the 5 deployments the rate needs.`,
  });
}

export const CHANGE_SLOTS: PlantedSlot[] = [
  // ---------------------------------------------------------------- RM-CHG-003
  {
    service: 'notifications-worker',
    dayOffset: -17,
    minuteOfDay: 14 * 60 + 10,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'notifications-worker', { variables: changeVariable(number) });
      const end = r.firstStart - 40 * MINUTE;
      approvedChange(ctx, number, 'notifications-worker', r, { planned: { start: end - 4 * HOUR, end } });
      plant(
        ctx,
        'RM-CHG-003/outside-window',
        'RM-CHG-003',
        'violation',
        only(r.deployments, 'production'),
        `Linked normal change ${number} (approved) planned its window to end 40 minutes before the deploying job started: outside the window and its 15-minute grace.`,
      );
    },
  },
  {
    service: 'reporting-batch',
    dayOffset: -17,
    minuteOfDay: 15 * 60 + 5,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'reporting-batch', { variables: changeVariable(number) });
      const end = r.firstStart - 10 * MINUTE;
      approvedChange(ctx, number, 'reporting-batch', r, { planned: { start: end - 3 * HOUR, end } });
      plant(
        ctx,
        'RM-CHG-003/inside-grace',
        'RM-CHG-003',
        'near-miss',
        only(r.deployments, 'production'),
        `Linked normal change ${number}'s window ended 10 minutes before the deploying job started: inside the 15-minute grace.`,
      );
    },
  },
  // ---------------------------------------------------------------- RM-CHG-004
  {
    service: 'ledger-service',
    dayOffset: -19,
    minuteOfDay: 10 * 60 + 40,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'ledger-service', { variables: changeVariable(number) });
      approvedChange(ctx, number, 'ledger-service', r, { ciService: 'identity-gateway' });
      plant(
        ctx,
        'RM-CHG-004/names-another-ci',
        'RM-CHG-004',
        'violation',
        only(r.deployments, 'live'),
        `Its only linked change ${number} (approved, in window) names identity-gateway's CI, not ledger-service's.`,
      );
    },
  },
  {
    service: 'ledger-service',
    dayOffset: -15,
    minuteOfDay: 11 * 60 + 20,
    build(ctx) {
      const dependency = allocateChangeNumber(ctx.estate);
      const own = allocateChangeNumber(ctx.estate);
      const mrs = plainMrs(ctx, 'ledger-service', 1);
      mrs[0] = { ...mrs[0], title: `${mrs[0].title} (${own})` };
      const r = release(ctx, 'ledger-service', { variables: changeVariable(dependency), mrs });
      approvedChange(ctx, dependency, 'ledger-service', r, { ciService: 'identity-gateway' });
      approvedChange(ctx, own, 'ledger-service', r);
      plant(
        ctx,
        'RM-CHG-004/second-change-names-ci',
        'RM-CHG-004',
        'near-miss',
        only(r.deployments, 'live'),
        `Links two approved changes: ${dependency} (pipeline variable) names identity-gateway's CI, ${own} (MR title) names ledger-service's: one of them covers the service.`,
      );
    },
  },
  // ---------------------------------------------------------------- RM-EMG-001
  {
    service: 'identity-gateway',
    dayOffset: -14,
    minuteOfDay: 9 * 60 + 40,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'identity-gateway', {
        variables: changeVariable(number),
        manualEnvs: ['production'],
      });
      approvedChange(ctx, number, 'identity-gateway', r, { type: 'emergency', closeAfterHours: 96 });
      const finish = Date.parse(only(r.deployments, 'production').finishedAt);
      plantCase(ctx.estate, {
        id: 'RM-EMG-001/closed-late',
        controlId: 'RM-EMG-001',
        kind: 'violation',
        subject: { type: 'change', service: 'identity-gateway', number },
        from: finish + 72 * HOUR + 1,
        note: `Emergency change ${number} was closed (review done) 96 h after its production deployment finished: overdue past the 72 h review time, open from then until its late close.`,
      });
    },
  },
  {
    service: 'ledger-service',
    dayOffset: -8,
    minuteOfDay: 13 * 60 + 15,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'ledger-service', { variables: changeVariable(number) });
      approvedChange(ctx, number, 'ledger-service', r, { type: 'emergency', closeAfterHours: null });
      const finish = Date.parse(only(r.deployments, 'live').finishedAt);
      plantCase(ctx.estate, {
        id: 'RM-EMG-001/still-open',
        controlId: 'RM-EMG-001',
        kind: 'violation',
        subject: { type: 'change', service: 'ledger-service', number },
        from: finish + 72 * HOUR + 1,
        note: `Emergency change ${number} is still in Review: flagged once 72 h have passed since its production deployment finished.`,
      });
    },
  },
  {
    service: 'payments-api',
    dayOffset: -10,
    minuteOfDay: 16 * 60 + 20,
    build(ctx) {
      const number = allocateChangeNumber(ctx.estate);
      const r = release(ctx, 'payments-api', { variables: changeVariable(number) });
      const finish = Date.parse(only(r.deployments, 'production').finishedAt);
      approvedChange(ctx, number, 'payments-api', r, { type: 'emergency', closeAfterHours: 70 });
      plantCase(ctx.estate, {
        id: 'RM-EMG-001/reviewed-in-time',
        controlId: 'RM-EMG-001',
        kind: 'near-miss',
        subject: { type: 'change', service: 'payments-api', number },
        from: finish,
        note: `Emergency change ${number} was closed 70 h after its production deployment finished: inside the 72 h review time.`,
      });
    },
  },
  // ---------------------------------------------------------------- RM-EMG-002
  ...CHECKOUT_EMERGENCIES.map((dayOffset, i): PlantedSlot => ({
    service: 'checkout-web',
    dayOffset,
    minuteOfDay: 9 * 60 + 35 + 70 * i,
    build: (ctx) => void emergencyRelease(ctx, 'checkout-web', true),
  })),
  ...KYC_RELEASES.map(({ day, emergency }, i): PlantedSlot => ({
    service: 'kyc-service',
    dayOffset: day,
    minuteOfDay: 10 * 60 + 50 * i,
    build: (ctx) => void emergencyRelease(ctx, 'kyc-service', emergency),
  })),
];
