/**
 * The outbox's writer: queues the ticket action of each finding transition IN the transition's
 * transaction (FindingTransitionListener), so a transition and its ticket action are committed, or
 * rolled back, together. Nothing is sent from here; the relay does that.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FindingTransition, FindingTransitionListener } from '../findings/finding-transition.listener';
import { RemediationPlanner } from './remediation.planner';

@Injectable()
export class RemediationOutboxListener implements FindingTransitionListener {
  constructor(private readonly planner: RemediationPlanner) {}

  async onTransitions(manager: EntityManager, transitions: FindingTransition[]): Promise<void> {
    await this.planner.planTransitions(manager, transitions);
  }
}
