/**
 * `evidence verify`: recomputes the evidence ledger — from the database, or offline from an
 * export (`--from-export`) — and prints a one-line verdict, then, when it does not verify, the
 * first bad entry. Exit 0 verified, 1 tampered, 2 usage. Read-only: it never migrates or writes
 * the database; `--export F` writes a verified ledger to a file, `--against F` checks that nothing
 * an earlier export held has been rolled back since.
 */
import { readFileSync } from 'node:fs';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { Redactor } from '../../../hub/src/config/redactor';
import { HubError } from '../../../hub/src/common/errors';
import { dataSourceOptions, redactDatabaseUrl } from '../../../hub/src/store/data-source.factory';
import { CheckpointSigner } from '../../../hub/src/evidence/checkpoint.signer';
import { verifyEvidence } from '../../../hub/src/evidence/evidence.verifier';
import { exportLedger, type ExportSummary } from '../../../hub/src/evidence/ledger-export';
import type { VerifyResult } from '../../../hub/src/evidence/ledger.types';
import { EXIT, guarded, usage } from './command-errors';

export interface EvidenceVerifyOptions {
  config?: string;
  export?: string;
  fromExport?: string;
  against?: string;
  publicKey?: string[];
  format?: string;
}

@SubCommand({
  name: 'verify',
  description:
    'recompute the evidence ledger (hash chain, Merkle roots, signatures); exit 1 and the first bad entry when tampered',
})
export class EvidenceVerifyCommand extends CommandRunner {
  async run(_params: string[], opts: EvidenceVerifyOptions): Promise<void> {
    await guarded(async () => {
      const format = opts.format ?? 'text';
      if (!['text', 'json'].includes(format)) throw usage(`--format: must be text or json, not "${format}"`);
      if (opts.fromExport && opts.export)
        throw usage("--export writes the database's ledger: it cannot be combined with --from-export");
      const loaded = loadConfig({ path: opts.config });
      const redactor = new Redactor(loaded.secrets);
      // The configured key, and any other given (the previous keys after a rotation, or the only
      // one an auditor holds).
      const trustedKeys = [
        ...(loaded.config.evidence.signingKey
          ? [{ pem: loaded.config.evidence.signingKey, from: 'evidence.signingKey' }]
          : []),
        ...(opts.publicKey ?? []).map((file) => ({ pem: readKeyFile(file), from: `--public-key ${file}` })),
      ];
      let result: VerifyResult;
      let written: ExportSummary | undefined;
      if (opts.fromExport) {
        result = await verifyEvidence(
          { source: 'export', path: opts.fromExport },
          { trustedKeys, againstPath: opts.against },
        );
      } else {
        const url = loaded.config.storage.database;
        const ds = new DataSource(dataSourceOptions(url));
        try {
          await ds.initialize();
        } catch (err) {
          throw new HubError(
            'storage_unavailable',
            `cannot open ${redactDatabaseUrl(url)}: ${redactor.redact((err as Error).message)}`,
          );
        }
        try {
          result = await verifyEvidence(
            { source: 'db' },
            { trustedKeys, dataSource: ds, againstPath: opts.against },
          );
          // The export is sealed with the signing key, so a cut file no longer verifies.
          if (result.ok && opts.export)
            written = await exportLedger(ds, opts.export, {
              signer: CheckpointSigner.ofConfiguredKey(loaded.config.evidence.signingKey),
            });
        } finally {
          await ds.destroy();
        }
      }
      if (format === 'json') {
        process.stdout.write(
          JSON.stringify(written ? { ...result, export: written } : result, null, 2) + '\n',
        );
      } else {
        process.stdout.write(
          verdictLines(
            result,
            trustedKeys.map((k) => k.from),
          ).join('\n') + '\n',
        );
      }
      if (written)
        process.stderr.write(
          `Wrote ${written.path}: ${written.entries} entries, ${written.checkpoints} checkpoints, ${written.sealKeyId ? `sealed by key ${written.sealKeyId.slice(0, 16)}` : 'seal unsigned (no evidence.signingKey)'}; verify it offline with: audit-hub evidence verify --from-export ${written.path}\n`,
        );
      else if (opts.export && !result.ok)
        process.stderr.write(`Did not write ${opts.export}: the ledger does not verify.\n`);
      return result.ok ? EXIT.ok : 1;
    });
  }

  @Option({ flags: '--config <file>', description: 'config file (storage.database, evidence.signingKey)' })
  parseConfig(v: string): string {
    return v;
  }
  @Option({
    flags: '--export <file>',
    description: 'after verifying, write the ledger as a JSON Lines export',
  })
  parseExport(v: string): string {
    return v;
  }
  @Option({ flags: '--from-export <file>', description: 'verify an export offline, without the database' })
  parseFromExport(v: string): string {
    return v;
  }
  @Option({
    flags: '--against <file>',
    description: 'an earlier export: fail if anything it holds is missing or different now (rollback)',
  })
  parseAgainst(v: string): string {
    return v;
  }
  @Option({
    flags: '--public-key <file>',
    description:
      'PEM of an Ed25519 key checkpoints may be signed with, besides evidence.signingKey (repeatable: earlier keys after a rotation)',
  })
  parsePublicKey(v: string, previous: string[] = []): string[] {
    return [...previous, v];
  }
  @Option({ flags: '--format <format>', description: 'text or json' })
  parseFormat(v: string): string {
    return v;
  }
}

@Command({
  name: 'evidence',
  description: 'evidence ledger operations',
  subCommands: [EvidenceVerifyCommand],
})
export class EvidenceCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stderr.write(
      'usage: audit-hub evidence verify [--config F] [--export F] [--from-export F] [--against F] [--public-key F] [--format text|json]\n',
    );
    process.exitCode = EXIT.usage;
  }
}

/** The verdict line, and on failure the first bad entry's line. */
export function verdictLines(r: VerifyResult, keysFrom: string[] = []): string[] {
  const range = r.firstSeq === null ? 'no entries' : `${r.entries} entries (seq ${r.firstSeq}–${r.lastSeq})`;
  if (!r.ok) {
    const bad = r.firstBad!;
    const what =
      bad.checkpoint !== undefined
        ? `checkpoint ${bad.checkpoint}`
        : bad.exportLine
          ? `export ${bad.exportLine}`
          : (bad.type ?? 'missing');
    return [
      `TAMPERED: the evidence ledger in ${r.source} does not verify; first bad entry: seq ${bad.seq}`,
      `seq ${bad.seq} (${what}): ${bad.reason}`,
    ];
  }
  const signing =
    r.checkpoints === 0
      ? 'no checkpoints yet'
      : r.unsignedCheckpoints === r.checkpoints
        ? `${r.checkpoints} checkpoints, unsigned (no evidence.signingKey)`
        : `${r.checkpoints} checkpoints${r.unsignedCheckpoints ? ` (${r.unsignedCheckpoints} unsigned, from before a key was configured)` : ''} signed by key ${r.keyIds.map((k) => k.slice(0, 16)).join(', ')}${r.trustedKeyIds.length ? ` (trusted: ${keysFrom.join(', ')})` : ' (not pinned: configure evidence.signingKey or pass --public-key)'}`;
  const notes = [
    r.rootHash ? `root ${r.rootHash.slice(0, 16)} at size ${r.treeSize}` : null,
    r.prunedThrough ? `entries 1–${r.prunedThrough} pruned by retention` : null,
    r.unanchored ? `${r.unanchored} entries after the last checkpoint` : null,
    r.comparedWith ? `nothing in ${r.comparedWith} missing or changed` : null,
    r.exportSeal ? sealNote(r) : null,
  ].filter(Boolean);
  return [
    `OK: the evidence ledger in ${r.source} verifies: ${range}, ${signing}${notes.length ? `; ${notes.join('; ')}` : ''}`,
  ];
}

/** What an export's seal vouches for: its extent, signed (by which key) or not. */
function sealNote(r: VerifyResult): string {
  const seal = r.exportSeal!;
  if (seal.version === 1) return 'export format 1: not sealed, a cut at its end would not show';
  if (!seal.signed) return 'export sealed but unsigned: it shows an accidental cut, not a deliberate one';
  const other =
    r.keyIds.length && !r.keyIds.includes(seal.keyId!) ? ` (not a key its checkpoints are signed with)` : '';
  return `export sealed by key ${seal.keyId!.slice(0, 16)}${other}`;
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(
      `--public-key ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}
