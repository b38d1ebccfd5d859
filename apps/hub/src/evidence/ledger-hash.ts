/**
 * What the ledger hashes and signs, as RFC 8785 canonical JSON (`canonicalize`): the same bytes on
 * every machine and database, so an export verifies offline exactly as the database does.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EvidenceEntryType } from '../store/entities/evidence-entry.entity';

/** The `prevHash` of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers. */
export interface HashedEntry {
  seq: number;
  at: string;
  runId: string | null;
  type: EvidenceEntryType;
  subject: string | null;
  payload: unknown;
  prevHash: string;
}

/** What a checkpoint's signature covers. */
export interface CheckpointStatement {
  treeSize: number;
  rootHash: string;
  at: string;
  runId: string | null;
  /** The id of the checkpoint before it, so the checkpoints form a chain of their own. */
  previousCheckpoint: number | null;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('evidence ledger: value is not JSON');
  return text;
}

export function entryHash(entry: HashedEntry): string {
  return sha256Hex(
    canonicalJson({
      seq: entry.seq,
      at: entry.at,
      runId: entry.runId,
      type: entry.type,
      subject: entry.subject,
      payload: entry.payload,
      prevHash: entry.prevHash,
    }),
  );
}

export function checkpointStatement(statement: CheckpointStatement): Buffer {
  return Buffer.from(
    canonicalJson({
      treeSize: statement.treeSize,
      rootHash: statement.rootHash,
      at: statement.at,
      runId: statement.runId,
      previousCheckpoint: statement.previousCheckpoint,
    }),
  );
}

/**
 * `value` as plain JSON, as it reads back from the database's text column: dates become ISO
 * strings, undefined members go, bigints become strings, NaN and infinities become null. Hashing
 * this form is what makes a stored entry re-hash to the same value.
 */
export function toJsonValue(value: unknown): unknown {
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  return text === undefined ? null : JSON.parse(text);
}
