/**
 * Writes what each committed collect batch read, in the batch's transaction (records, cursor and
 * evidence commit together): one `page` entry per upstream response (its SHA-256 and size, never
 * its body) and one `record` entry listing each record's kind, natural key and content hash.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Redactor } from '../config/redactor';
import type { CollectBatchListener, CollectedBatch } from '../runs/run-lifecycle.listener';
import { contentHash } from '../store/record.store';
import { EvidenceLedger } from './evidence.ledger';
import type { EvidenceEntryInput } from './ledger.types';

@Injectable()
export class EvidenceBatchListener implements CollectBatchListener {
  constructor(
    private readonly ledger: EvidenceLedger,
    private readonly redactor: Redactor,
  ) {}

  async onBatch(manager: EntityManager, batch: CollectedBatch): Promise<void> {
    const { runId, connector, stream } = batch;
    const subject = `${connector}/${stream}`;
    const entries: EvidenceEntryInput[] = batch.pages.map((page) => ({
      type: 'page',
      subject,
      runId,
      payload: {
        connector,
        stream,
        method: page.method,
        // Already redacted by the HTTP client; again here, with every secret the hub knows.
        url: this.redactor.redact(page.url),
        status: page.status,
        sha256: page.sha256,
        bytes: page.bytes,
      },
    }));
    if (batch.records.length) {
      entries.push({
        type: 'record',
        subject,
        runId,
        payload: {
          connector,
          stream,
          count: batch.records.length,
          records: batch.records.map((r) => ({
            kind: r.kind,
            externalId: this.redactor.redact(r.externalId),
            contentHash: contentHash(r.data),
          })),
        },
      });
    }
    await this.ledger.append(manager, entries);
  }
}
