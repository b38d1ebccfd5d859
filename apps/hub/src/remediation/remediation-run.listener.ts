/**
 * After each run: queue the reminders and missing tickets the run calls for, then send what is
 * queued (RunFinishedListener). A failed run evaluated nothing, so it plans nothing; it still sends
 * what earlier runs queued.
 */
import { Injectable } from '@nestjs/common';
import type { RunStatus } from '@audit-hub/domain';
import { AppLogger } from '../common/app-logger';
import type { RunFinishedListener } from '../runs/run-lifecycle.listener';
import { RemediationPlanner } from './remediation.planner';
import { RemediationRelay } from './remediation.relay';

@Injectable()
export class RemediationRunListener implements RunFinishedListener {
  constructor(
    private readonly planner: RemediationPlanner,
    private readonly relay: RemediationRelay,
    private readonly logger: AppLogger,
  ) {}

  async onRunFinished(runId: string, status: RunStatus): Promise<void> {
    if (!this.planner.enabled) return;
    const planned = status === 'failed' ? { reminders: 0, filed: 0 } : await this.planner.planAfterRun(runId);
    const sent = await this.relay.run();
    this.logger.info('remediation relayed', { runId, ...planned, ...sent });
  }
}
