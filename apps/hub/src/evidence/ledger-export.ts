/**
 * The ledger's export: JSON Lines — a header (format and version), then every entry in seq order,
 * then every checkpoint — that verifies offline with no database (`evidence verify --from-export`),
 * and that a later verification compares the database with to detect a rollback (`--against`).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import type { DataSource } from 'typeorm';
import { databaseSnapshot, withLedgerSnapshot } from './database-ledger.source';
import { EvidenceError } from './evidence.error';
import type { LedgerCheckpoint, LedgerEntry, LedgerSnapshot } from './ledger.types';
import { MalformedExportLine } from './ledger.verifier';

export const EXPORT_FORMAT = 'audit-hub-evidence-ledger';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  kind: 'header';
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpoints: number;
}

export interface ExportSummary {
  path: string;
  entries: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

/** Lines buffered per write. */
const WRITE_BATCH = 1000;

/**
 * Writes the ledger as one snapshot to `path`, through a temporary file renamed at the end, so a
 * reader never sees half an export.
 */
export async function exportLedger(
  ds: DataSource,
  path: string,
  now: Date = new Date(),
): Promise<ExportSummary> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    const summary = await withLedgerSnapshot(ds, async (manager) => {
      const snapshot = await databaseSnapshot(manager);
      const header: ExportHeader = {
        kind: 'header',
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt: now.toISOString(),
        firstSeq: snapshot.firstSeq,
        lastSeq: snapshot.lastSeq,
        checkpoints: snapshot.checkpoints.length,
      };
      await file.write(JSON.stringify(header) + '\n');
      let lines: string[] = [];
      let entries = 0;
      for await (const entry of snapshot.entries()) {
        lines.push(JSON.stringify({ kind: 'entry', ...entry }));
        entries++;
        if (lines.length >= WRITE_BATCH) {
          await file.write(lines.join('\n') + '\n');
          lines = [];
        }
      }
      for (const cp of snapshot.checkpoints) lines.push(JSON.stringify({ kind: 'checkpoint', ...cp }));
      if (lines.length) await file.write(lines.join('\n') + '\n');
      return {
        path,
        entries,
        checkpoints: snapshot.checkpoints.length,
        firstSeq: snapshot.firstSeq,
        lastSeq: snapshot.lastSeq,
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
 * An export file as a ledger snapshot. A first pass reads the header, the checkpoints and the
 * prune entries; entries() reads the file again, so memory stays flat. A file that is not an
 * export is an EvidenceError (exit 2); a damaged line inside one is a verdict (MalformedExportLine).
 */
export async function readExport(path: string): Promise<LedgerSnapshot> {
  const label = basename(path);
  const checkpoints: LedgerCheckpoint[] = [];
  const pruneEntries: LedgerEntry[] = [];
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  let lineNo = 0;
  try {
    for await (const line of lines(path)) {
      lineNo++;
      if (lineNo === 1) {
        assertHeader(line, path);
        continue;
      }
      const item = parseLine(line);
      if (!item) continue;
      if (item.kind === 'checkpoint') checkpoints.push(toCheckpoint(item));
      else if (item.kind === 'entry') {
        const entry = toEntry(item);
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
  return {
    label,
    firstSeq,
    lastSeq,
    checkpoints,
    pruneEntries,
    entries: () => entriesOf(path),
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
    else if (item.kind !== 'checkpoint')
      throw new MalformedExportLine(`line ${lineNo} of the export is neither an entry nor a checkpoint`);
  }
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

function assertHeader(line: string, path: string): void {
  const header = parseLine(line);
  if (!header || header.kind !== 'header' || header.format !== EXPORT_FORMAT)
    throw new EvidenceError(
      'export_invalid',
      `${path}: not an audit-hub evidence export (no ${EXPORT_FORMAT} header)`,
    );
  if (header.version !== EXPORT_VERSION)
    throw new EvidenceError(
      'export_invalid',
      `${path}: export format version ${String(header.version)} is not supported (this version reads ${EXPORT_VERSION})`,
    );
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
