/**
 * After each run: a `config` entry when the config (secrets redacted) changed since the last one,
 * then a signed checkpoint over everything so far, then retention pruning of what
 * `evidence.retentionDays` no longer keeps (itself recorded and anchored).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { RunStatus } from '@audit-hub/domain';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { RunFinishedListener } from '../runs/run-lifecycle.listener';
import { configEvidence } from './config-evidence';
import { EvidenceLedger } from './evidence.ledger';

@Injectable()
export class EvidenceRunListener implements RunFinishedListener {
  constructor(
    private readonly ledger: EvidenceLedger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redactor: Redactor,
  ) {}

  async onRunFinished(runId: string, _status: RunStatus): Promise<void> {
    const { digest, config } = configEvidence(this.config, this.redactor, this.ledger.keyId);
    await this.ledger.appendWith(undefined, async (tx) => {
      const last = await this.ledger.lastEntry('config', tx);
      const previous = (last?.payload as { digest?: string } | undefined)?.digest ?? null;
      if (previous === digest) return [];
      return [
        { type: 'config', subject: 'config', runId, payload: { digest, previousDigest: previous, config } },
      ];
    });
    await this.ledger.checkpoint(runId);
    await this.ledger.pruneExpired(runId);
  }
}
