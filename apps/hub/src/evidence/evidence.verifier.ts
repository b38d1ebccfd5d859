/**
 * `evidence verify`: the ledger from the database or from an export file, checked against the
 * trusted key (evidence.signingKey, or a public key given on its own) and, optionally, against an
 * earlier export to catch a rollback.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { CheckpointSigner, trustedKeyIdOf } from './checkpoint.signer';
import { assertLedgerTables, databaseSnapshot, withLedgerSnapshot } from './database-ledger.source';
import { EvidenceError } from './evidence.error';
import { exportLedger, ExportSummary, readExport } from './ledger-export';
import type { VerifyResult } from './ledger.types';
import { verifyLedger } from './ledger.verifier';

export type VerifySource = { source: 'db' } | { source: 'export'; path: string };

export interface VerifyEvidenceOptions {
  /** The database, for `{ source: 'db' }`. */
  dataSource?: DataSource;
  /**
   * The keys checkpoints may be signed with, as PEM (public keys, or the private signing key itself),
   * each with where it came from for messages (`evidence.signingKey`, a file name). Several after a
   * key rotation; none leaves the signer unpinned.
   */
  trustedKeys?: { pem: string; from: string }[];
  /** An earlier export the ledger must still contain (rollback check). */
  againstPath?: string;
}

export async function verifyEvidence(
  source: VerifySource,
  opts: VerifyEvidenceOptions = {},
): Promise<VerifyResult> {
  const trustedKeyIds = (opts.trustedKeys ?? []).map((k) => trustedKeyIdOf(k.pem, k.from));
  let baseline = null;
  if (opts.againstPath) {
    baseline = await readExport(opts.againstPath);
    // A reference that does not verify itself would only produce noise: refuse it.
    const own = await verifyLedger(baseline, { trustedKeyIds });
    if (!own.ok)
      throw new EvidenceError(
        'export_invalid',
        `${opts.againstPath} does not verify itself (entry ${own.firstBad!.seq}: ${own.firstBad!.reason})`,
      );
  }
  if (source.source === 'export')
    return verifyLedger(await readExport(source.path), { trustedKeyIds, baseline });
  const ds = opts.dataSource;
  if (!ds) throw new Error('verifyEvidence: { source: "db" } needs a dataSource');
  await assertLedgerTables(ds);
  return withLedgerSnapshot(ds, async (manager) =>
    verifyLedger(await databaseSnapshot(manager), { trustedKeyIds, baseline }),
  );
}

/** The hub's entry point to verification and export (API, reports), with the configured key. */
@Injectable()
export class EvidenceVerifier {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'evidence'>,
  ) {}

  verify(
    source: VerifySource = { source: 'db' },
    opts: { againstPath?: string } = {},
  ): Promise<VerifyResult> {
    return verifyEvidence(source, {
      dataSource: this.dataSource,
      trustedKeys: this.config.evidence.signingKey
        ? [{ pem: this.config.evidence.signingKey, from: 'evidence.signingKey' }]
        : [],
      againstPath: opts.againstPath,
    });
  }

  /** Writes a sealed export (signed with evidence.signingKey when it is configured). */
  export(path: string): Promise<ExportSummary> {
    return exportLedger(this.dataSource, path, {
      signer: CheckpointSigner.ofConfiguredKey(this.config.evidence.signingKey),
    });
  }
}
