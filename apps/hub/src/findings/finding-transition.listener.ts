/**
 * Extension point: everything that must happen in the same transaction as a finding's transition
 * (the evidence ledger entry, the remediation outbox row) implements this and is registered under
 * FINDING_TRANSITION_LISTENERS. A listener that throws rolls the transition back with it.
 */
import type { EntityManager } from 'typeorm';
import type { FindingStatus } from '@audit-hub/domain';
import type { FindingEntity } from '../store/entities/finding.entity';

export interface FindingTransition {
  runId: string;
  at: string;
  fromStatus: FindingStatus | null;
  toStatus: FindingStatus;
  /** Why (the control's reason, the exception, "no longer flagged"). */
  reason: string;
  /** The facts the decision was made on. */
  input: unknown;
  /** The finding as it stands after the transition. */
  finding: FindingEntity;
}

export interface FindingTransitionListener {
  onTransitions(manager: EntityManager, transitions: FindingTransition[]): Promise<void>;
}

export const FINDING_TRANSITION_LISTENERS = Symbol('FINDING_TRANSITION_LISTENERS');
