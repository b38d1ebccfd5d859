import type { Estate } from './estate.model';
import { setupAccessCases } from './planted-access.scenarios';
import { CHANGE_SLOTS, finishChangeCases, setupChangeCases } from './planted-change.scenarios';
import { DELIVERY_SLOTS, finishDeliveryCases, setupDeliveryCases } from './planted-delivery.scenarios';
import { JENKINS_SLOTS } from './planted-jenkins.scenarios';
import { LINKING_SLOTS } from './planted-linking.scenarios';
import type { PlantedSlot, SetupContext } from './planted.support';

/**
 * The planted cases: for every control of controls.md, violations beside near-misses that are
 * compliant by the definitions (and that a sloppy control would flag, or a lax one pass). Each is
 * recorded in `estate.planted` with its subject and how its flag changes over time, so the
 * manifest of expected findings is written from that list and never re-derives the controls.
 *
 * - `PLANTED_SLOTS`: stories of one service on one day (a release and what goes wrong around it),
 *   run in place of that day's routine activity;
 * - `plantSetup`: what must hold before the history is generated (CMDB facts, change freezes,
 *   the access grants);
 * - `plantFinish`: the cases decided over the whole history (rates over a window, a service's
 *   first deployment), from the facts the slots left.
 */

export {
  LATE_CHANGE,
  MISSING_CHANGE,
  REOPEN_AFTER,
  RESOLVE_AFTER,
  type PlantContext,
  type PlantedSlot,
} from './planted.support';

export const PLANTED_SLOTS: PlantedSlot[] = [
  ...LINKING_SLOTS,
  ...CHANGE_SLOTS,
  ...DELIVERY_SLOTS,
  ...JENKINS_SLOTS,
];

export function plantSetup(ctx: SetupContext): void {
  setupChangeCases(ctx);
  setupDeliveryCases(ctx);
  setupAccessCases(ctx);
}

export function plantFinish(estate: Estate): void {
  finishChangeCases(estate);
  finishDeliveryCases(estate);
}
