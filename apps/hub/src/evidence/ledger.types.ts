/**
 * The ledger's shapes as verification and exports see them: the same in the database and in an
 * export file, so one verifier serves both.
 */
import type { EvidenceEntryType } from '../store/entities/evidence-entry.entity';
import type { HashedEntry } from './ledger-hash';

export type { EvidenceEntryType };

export const EVIDENCE_ENTRY_TYPES: readonly EvidenceEntryType[] = [
  'page',
  'record',
  'finding_transition',
  'ticket_action',
  'exception_decision',
  'config',
  'prune',
  'checkpoint_anchor',
  'report_signoff',
];

/** What a caller appends; the ledger assigns seq, prevHash and hash. */
export interface EvidenceEntryInput {
  type: EvidenceEntryType;
  /** A subject ref, a finding key, `<connector>/<stream>`… */
  subject?: string | null;
  /** Plain JSON with secrets already redacted: digests and references, never raw upstream bodies. */
  payload: unknown;
  runId?: string | null;
  /** An ISO instant; the ledger's clock when omitted. */
  at?: string;
}

export interface LedgerEntry extends HashedEntry {
  hash: string;
}

export interface LedgerCheckpoint {
  id: number;
  runId: string | null;
  treeSize: number;
  rootHash: string;
  at: string;
  signature: string | null;
  keyId: string | null;
  publicKey: string | null;
  prevCheckpointId: number | null;
}

/** The payload of a `prune` entry: enough to go on verifying what remains. */
export interface PrunePayload {
  /** Entries `at` before this instant were due (retention). */
  before: string;
  fromSeq: number;
  toSeq: number;
  /** The hash of entry `toSeq`: the first remaining entry's prevHash. */
  lastPrunedHash: string;
  /** The Merkle tree over entries 1..toSeq: its root and frontier, to extend with what remains. */
  treeSize: number;
  rootHash: string;
  frontier: string[];
  /** Checkpoints over fewer than `toSeq` entries are deleted with the entries. */
  checkpointsDeleted: number;
  /** The first checkpoint kept and the (deleted) checkpoint it points back to. */
  firstKeptCheckpoint: { id: number; prev: number | null };
}

/** The payload of a `checkpoint_anchor` entry: the previous checkpoint, bound into the chain. */
export interface CheckpointAnchorPayload {
  checkpoint: number;
  treeSize: number;
  rootHash: string;
  keyId: string | null;
}

/** What an export says it holds (its header and its seal both declare it; the content must match). */
export interface ExportExtent {
  firstSeq: number | null;
  lastSeq: number | null;
  entries: number;
  checkpoints: number;
  /** The checkpoint with the highest id: the one that signs the most. */
  lastCheckpoint: { id: number; treeSize: number; rootHash: string } | null;
}

/** An export file's framing around the ledger it holds: its header, its seal, and what it holds. */
export interface ExportFraming {
  /** The export format version (1: no seal; 2: sealed). */
  version: number;
  /** The header line as read: whatever the file says. */
  header: Record<string, unknown>;
  /** The seal (trailer line) as read; null when there is none. */
  trailer: Record<string, unknown> | null;
  /** Why the seal is out of place (not the last line, or more than one), when it is. */
  misplacedTrailer: string | null;
  /** What the entry and checkpoint lines actually hold. */
  content: ExportExtent;
}

/** One consistent view of a ledger: from the database (one snapshot) or from an export file. */
export interface LedgerSnapshot {
  /** Where it comes from, for messages (`database`, a file name). */
  label: string;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Every checkpoint, by id. */
  checkpoints: LedgerCheckpoint[];
  /** Every `prune` entry (a handful), to find the one the remaining entries start after. */
  pruneEntries: LedgerEntry[];
  /** Every entry, in seq order. */
  entries(): AsyncIterable<LedgerEntry>;
  /** For an export file: its header and seal, checked against what it holds. */
  framing?: ExportFraming;
}

export interface FirstBad {
  /** The first entry that is missing, altered or not covered as a checkpoint says. */
  seq: number;
  /** The entry's type, when it is present. */
  type?: EvidenceEntryType;
  /** The checkpoint at fault, when it is a checkpoint. */
  checkpoint?: number;
  /** The export's own line at fault, when it is its header or its seal (trailer). */
  exportLine?: 'header' | 'seal';
  reason: string;
}

/** How an export vouches for its own extent (null when verifying the database). */
export interface ExportSealResult {
  version: number;
  /** The seal's Ed25519 signature verifies (by a trusted key, when keys are given). */
  signed: boolean;
  /** The key the seal is signed with. */
  keyId: string | null;
  exportedAt: string | null;
}

export interface VerifyResult {
  ok: boolean;
  /** Where the ledger was read from. */
  source: string;
  /** Entries read and verified (up to the first bad one). */
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpoints: number;
  /** Every checkpoint carries a valid signature (and there is at least one). */
  signed: boolean;
  unsignedCheckpoints: number;
  /** The keys the checkpoints were signed with (hex SHA-256 of the public key). */
  keyIds: string[];
  /** The keys checkpoints must be signed with (evidence.signingKey, --public-key); none: not pinned. */
  trustedKeyIds: string[];
  /** The recomputed Merkle tree over everything read: size and root. */
  treeSize: number;
  rootHash: string | null;
  /** Entries after the last checkpoint: chained, but not yet covered by a signed root. */
  unanchored: number;
  /** Entries 1..prunedThrough were removed by retention pruning (recorded in the ledger). */
  prunedThrough: number;
  /** Compared with this earlier export (rollback check). */
  comparedWith: string | null;
  /** For an export: its seal, which covers its extent (so nothing can be cut from it unnoticed). */
  exportSeal: ExportSealResult | null;
  firstBad?: FirstBad;
}
