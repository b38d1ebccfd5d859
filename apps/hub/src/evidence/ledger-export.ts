/**
 * The ledger's export: JSON Lines — a header (format, version and what the export holds), every
 * entry in seq order, every checkpoint, then the seal (export-seal.ts), signed with the signing
 * key — that verifies offline with no database (`evidence verify --from-export`), and that a later
 * verification compares the database with to detect a rollback (`--against`).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import type { DataSource } from 'typeorm';
import { EvidenceEntryEntity } from '../store/entities/evidence-entry.entity';
import type { CheckpointSigner } from './checkpoint.signer';
import { databaseSnapshot, withLedgerSnapshot } from './database-ledger.source';
import { EvidenceError } from './evidence.error';
import { EXPORT_FORMAT, EXPORT_VERSION, READABLE_EXPORT_VERSIONS, sealExport } from './export-seal';
import type { ExportExtent, LedgerCheckpoint, LedgerEntry, LedgerSnapshot } from './ledger.types';
import { MalformedExportLine } from './ledger.verifier';

export { EXPORT_FORMAT, EXPORT_VERSION };

export interface ExportHeader extends ExportExtent {
  kind: 'header';
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
}

export interface ExportSummary {
  path: string;
  entries: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The key the seal is signed with; null when unsigned. */
  sealKeyId: string | null;
}

export interface ExportOptions {
  /** The signing key (evidence.signingKey) the seal is signed with; required when checkpoints are signed. */
  signer?: CheckpointSigner | null;
  now?: Date;
}

/** Lines buffered per write. */
const WRITE_BATCH = 1000;

/**
 * Writes the ledger as one snapshot to `path`, through a temporary file renamed at the end, so a
 * reader never sees half an export. The seal is signed with `signer`; an export of a ledger whose
 * checkpoints are signed is refused without one, since it could not prove that nothing was cut.
 */
export async function exportLedger(
  ds: DataSource,
  path: string,
  opts: ExportOptions = {},
): Promise<ExportSummary> {
  const signer = opts.signer ?? null;
  const exportedAt = (opts.now ?? new Date()).toISOString();
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    const summary = await withLedgerSnapshot(ds, async (manager) => {
      const snapshot = await databaseSnapshot(manager);
      if (!signer && snapshot.checkpoints.some((cp) => cp.signature !== null))
        throw new EvidenceError(
          'signing_key_invalid',
          "the ledger's checkpoints are signed, so its export must be sealed with the signing key: configure evidence.signingKey (the Ed25519 private key) to export",
        );
      const last = snapshot.checkpoints.at(-1);
      const extent: ExportExtent = {
        firstSeq: snapshot.firstSeq,
        lastSeq: snapshot.lastSeq,
        entries: await manager.getRepository(EvidenceEntryEntity).count(),
        checkpoints: snapshot.checkpoints.length,
        lastCheckpoint: last ? { id: last.id, treeSize: last.treeSize, rootHash: last.rootHash } : null,
      };
      const header: ExportHeader = {
        kind: 'header',
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt,
        ...extent,
      };
      await file.write(JSON.stringify(header) + '\n');
      let lines: string[] = [];
      let entries = 0;
      let headHash: string | null = null;
      for await (const entry of snapshot.entries()) {
        lines.push(JSON.stringify({ kind: 'entry', ...entry }));
        entries++;
        headHash = entry.hash;
        if (lines.length >= WRITE_BATCH) {
          await file.write(lines.join('\n') + '\n');
          lines = [];
        }
      }
      // One snapshot: what was streamed is what the header declared.
      if (entries !== extent.entries)
        throw new Error(`evidence export: streamed ${entries} entries, the snapshot holds ${extent.entries}`);
      for (const cp of snapshot.checkpoints) lines.push(JSON.stringify({ kind: 'checkpoint', ...cp }));
      const seal = sealExport(extent, exportedAt, headHash, signer);
      lines.push(JSON.stringify(seal));
      await file.write(lines.join('\n') + '\n');
      return {
        path,
        entries,
        checkpoints: snapshot.checkpoints.length,
        firstSeq: snapshot.firstSeq,
        lastSeq: snapshot.lastSeq,
        sealKeyId: seal.keyId,
      };
    });
    await file.sync();
    await file.close();
    await rename(temporary, path);
    return summary;
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw err;
  }
}

/**
 * An export file as a ledger snapshot. A first pass reads the header, the checkpoints, the prune
 * entries, the seal and what the lines hold (counts and bounds, for the verifier to compare with
 * the header and the seal); entries() reads the file again, so memory stays flat. A file that is
 * not an export is an EvidenceError (exit 2); a damaged line inside one is a verdict
 * (MalformedExportLine).
 */
export async function readExport(path: string): Promise<LedgerSnapshot> {
  const label = basename(path);
  const checkpoints: LedgerCheckpoint[] = [];
  const pruneEntries: LedgerEntry[] = [];
  let header: Record<string, unknown> = {};
  let trailer: Record<string, unknown> | null = null;
  let misplacedTrailer: string | null = null;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  let entries = 0;
  let lineNo = 0;
  try {
    for await (const line of lines(path)) {
      lineNo++;
      if (lineNo === 1) {
        header = assertHeader(line, path);
        continue;
      }
      const item = parseLine(line);
      if (!item) continue;
      if (trailer && !misplacedTrailer)
        misplacedTrailer =
          item.kind === 'trailer'
            ? 'the export has more than one seal (trailer line)'
            : `line ${lineNo} follows the seal: lines were added after the export was sealed`;
      if (item.kind === 'trailer') trailer ??= item;
      else if (item.kind === 'checkpoint') checkpoints.push(toCheckpoint(item));
      else if (item.kind === 'entry') {
        const entry = toEntry(item);
        entries++;
        if (typeof entry.seq === 'number') {
          firstSeq ??= entry.seq;
          lastSeq = entry.seq;
        }
        if (entry.type === 'prune') pruneEntries.push(entry);
      }
    }
  } catch (err) {
    if (err instanceof EvidenceError) throw err;
    throw new EvidenceError(
      'export_invalid',
      `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (lineNo === 0) throw new EvidenceError('export_invalid', `${path}: is empty, not an evidence export`);
  checkpoints.sort((a, b) => a.id - b.id);
  const last = checkpoints.at(-1);
  return {
    label,
    firstSeq,
    lastSeq,
    checkpoints,
    pruneEntries,
    entries: () => entriesOf(path),
    framing: {
      version: header.version as number,
      header,
      trailer,
      misplacedTrailer,
      content: {
        firstSeq,
        lastSeq,
        entries,
        checkpoints: checkpoints.length,
        lastCheckpoint: last ? { id: last.id, treeSize: last.treeSize, rootHash: last.rootHash } : null,
      },
    },
  };
}

async function* entriesOf(path: string): AsyncGenerator<LedgerEntry> {
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (lineNo === 1) continue;
    const item = parseLine(line);
    if (item === null) throw new MalformedExportLine(`line ${lineNo} of the export is not a JSON object`);
    if (item.kind === 'entry') yield toEntry(item);
    else if (item.kind !== 'checkpoint' && item.kind !== 'trailer')
      throw new MalformedExportLine(
        `line ${lineNo} of the export is neither an entry, a checkpoint nor the seal`,
      );
  }
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

function assertHeader(line: string, path: string): Record<string, unknown> {
  const header = parseLine(line);
  if (!header || header.kind !== 'header' || header.format !== EXPORT_FORMAT)
    throw new EvidenceError(
      'export_invalid',
      `${path}: not an audit-hub evidence export (no ${EXPORT_FORMAT} header)`,
    );
  if (!READABLE_EXPORT_VERSIONS.includes(header.version as number))
    throw new EvidenceError(
      'export_invalid',
      `${path}: export format version ${String(header.version)} is not supported (this version reads ${READABLE_EXPORT_VERSIONS.join(' and ')})`,
    );
  return header;
}

function parseLine(line: string): Record<string, unknown> | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function toEntry(item: Record<string, unknown>): LedgerEntry {
  return {
    seq: item.seq as number,
    at: item.at as string,
    runId: (item.runId ?? null) as string | null,
    type: item.type as LedgerEntry['type'],
    subject: (item.subject ?? null) as string | null,
    payload: item.payload,
    prevHash: item.prevHash as string,
    hash: item.hash as string,
  };
}

function toCheckpoint(item: Record<string, unknown>): LedgerCheckpoint {
  return {
    id: item.id as number,
    runId: (item.runId ?? null) as string | null,
    treeSize: item.treeSize as number,
    rootHash: item.rootHash as string,
    at: item.at as string,
    signature: (item.signature ?? null) as string | null,
    keyId: (item.keyId ?? null) as string | null,
    publicKey: (item.publicKey ?? null) as string | null,
    prevCheckpointId: (item.prevCheckpointId ?? null) as number | null,
  };
}
