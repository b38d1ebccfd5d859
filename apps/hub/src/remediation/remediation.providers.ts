/**
 * The remediation providers, for the hub module. Register RemediationOutboxListener under
 * FINDING_TRANSITION_LISTENERS and RemediationRunListener under RUN_FINISHED_LISTENERS.
 */
import type { Provider } from '@nestjs/common';
import { RemediationOutboxListener } from './remediation-outbox.listener';
import { RemediationOutboxStore } from './remediation-outbox.store';
import { RemediationRunListener } from './remediation-run.listener';
import { RemediationPlanner } from './remediation.planner';
import { RemediationRelay } from './remediation.relay';
import { TicketTextRenderer } from './ticket-text.renderer';

export const REMEDIATION_PROVIDERS: Provider[] = [
  TicketTextRenderer,
  RemediationOutboxStore,
  RemediationPlanner,
  RemediationOutboxListener,
  RemediationRelay,
  RemediationRunListener,
];
