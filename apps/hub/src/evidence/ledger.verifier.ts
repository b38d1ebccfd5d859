/**
 * Verification of a ledger snapshot (database or export file): recomputes every entry's hash and
 * the chain, the Merkle root at every checkpoint's size, the checkpoints' signatures and their own
 * back-chain, for an export that its header and its seal describe what it holds, and — given an
 * earlier export — that nothing it held has since vanished or changed (a rollback). It reports the
 * FIRST bad entry: the smallest seq at which the ledger stops being what was written.
 */
import { keyIdOf, signatureValid } from './checkpoint.signer';
import { checkExportSeal } from './export-seal';
import { checkpointStatement, entryHash, GENESIS_HASH } from './ledger-hash';
import type {
  CheckpointAnchorPayload,
  FirstBad,
  LedgerCheckpoint,
  LedgerEntry,
  LedgerSnapshot,
  PrunePayload,
  VerifyResult,
} from './ledger.types';
import { appendLeaf, EMPTY_FRONTIER, entryLeaf, frontierRoot, isWellFormed, MerkleFrontier } from './merkle';

export interface VerifyOptions {
  /** The keys a signed checkpoint may carry (hex SHA-256 of the public key); any other is forged. */
  trustedKeyIds?: readonly string[];
  /** An earlier export of the same ledger: everything it holds must still be there, unchanged. */
  baseline?: LedgerSnapshot | null;
}

/** A line of an export file that is not what it should be; reported as the first bad entry. */
export class MalformedExportLine extends Error {
  override readonly name = 'MalformedExportLine';
}

const short = (hash: string | null | undefined) => (hash ? hash.slice(0, 12) : String(hash));

export async function verifyLedger(
  snapshot: LedgerSnapshot,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const problems: FirstBad[] = [];
  const checkpoints = snapshot.checkpoints;
  const trustedKeyIds = [...(opts.trustedKeyIds ?? [])];
  const baseline = opts.baseline ?? null;
  const result: VerifyResult = {
    ok: false,
    source: snapshot.label,
    entries: 0,
    firstSeq: snapshot.firstSeq,
    lastSeq: snapshot.lastSeq,
    checkpoints: checkpoints.length,
    signed: false,
    unsignedCheckpoints: 0,
    keyIds: [],
    trustedKeyIds,
    treeSize: 0,
    rootHash: null,
    unanchored: 0,
    prunedThrough: 0,
    comparedWith: baseline?.label ?? null,
    exportSeal: null,
  };

  // Where the remaining entries start: entry 1, or right after what a recorded prune removed.
  let tree: MerkleFrontier = EMPTY_FRONTIER;
  let prevHash = GENESIS_HASH;
  let anchor: (PrunePayload & { seq: number }) | null = null;
  let startFailed = false;
  const firstSeq = snapshot.firstSeq;
  if (firstSeq !== null && firstSeq > 1) {
    const found = snapshot.pruneEntries.find(
      (e) => (e.payload as PrunePayload | null)?.toSeq === firstSeq - 1,
    );
    if (!found) {
      startFailed = true;
      problems.push({
        seq: 1,
        reason: `entries 1–${firstSeq - 1} are missing and no prune entry records their removal (deleted)`,
      });
    } else {
      const p = found.payload as PrunePayload;
      const start = { size: p.treeSize, frontier: p.frontier };
      if (
        p.treeSize !== p.toSeq ||
        !isWellFormed(start) ||
        frontierRoot(start).toString('hex') !== p.rootHash
      ) {
        startFailed = true;
        problems.push({
          seq: found.seq,
          type: 'prune',
          reason: 'its Merkle state (tree size, frontier, root) is inconsistent',
        });
      } else {
        anchor = { ...p, seq: found.seq };
        tree = start;
        prevHash = p.lastPrunedHash;
        result.prunedThrough = p.toSeq;
      }
    }
  }

  // The checkpoints on their own: back-chain, growing sizes, signatures, the trusted key.
  let previous: LedgerCheckpoint | null = null;
  let seenSigned = false;
  const keyIds = new Set<string>();
  for (const cp of checkpoints) {
    const reason = checkpointProblem(cp, previous, anchor, trustedKeyIds, seenSigned);
    if (cp.signature === null) result.unsignedCheckpoints++;
    if (reason) {
      problems.push({
        seq: Math.max(cp.treeSize, 1),
        checkpoint: cp.id,
        reason: `checkpoint ${cp.id}: ${reason}`,
      });
    } else if (cp.signature !== null && cp.keyId) {
      seenSigned = true;
      keyIds.add(cp.keyId);
    }
    previous = cp;
  }
  result.keyIds = [...keyIds];
  const maxCheckpointSize = checkpoints.reduce((max, cp) => Math.max(max, cp.treeSize), 0);
  const checkpointIds = new Map(checkpoints.map((cp) => [cp.id, cp]));

  // The entries, in order: seq without gaps, hash, chain, and the root at each checkpoint's size.
  const bySize = groupBy(checkpoints, (cp) => cp.treeSize);
  const baselineBySize = groupBy(baseline?.checkpoints ?? [], (cp) => cp.treeSize);
  const rootProblem = (): FirstBad | undefined => {
    const root = frontierRoot(tree).toString('hex');
    for (const cp of bySize.get(tree.size) ?? []) {
      if (cp.rootHash !== root)
        return {
          seq: tree.size,
          checkpoint: cp.id,
          reason: `checkpoint ${cp.id}: its root ${short(cp.rootHash)} is not the root of entries 1–${tree.size} (${short(root)}): forged, or an entry it covers was altered and re-hashed`,
        };
    }
    for (const cp of baselineBySize.get(tree.size) ?? []) {
      if (cp.rootHash !== root)
        return {
          seq: tree.size,
          reason: `${baseline!.label} has checkpoint ${cp.id} with root ${short(cp.rootHash)} at size ${tree.size}, the ledger's entries give ${short(root)}: history was rewritten`,
        };
    }
    return undefined;
  };

  const baselineEntries = baseline ? baseline.entries()[Symbol.asyncIterator]() : null;
  let baselineNext: LedgerEntry | null = null;
  const advanceBaseline = async (): Promise<void> => {
    const next = baselineEntries ? await baselineEntries.next() : { done: true as const, value: undefined };
    baselineNext = next.done ? null : next.value;
  };
  if (baselineEntries) await advanceBaseline();

  const completed = startFailed ? false : await readEntries();
  if (completed) {
    if (maxCheckpointSize > tree.size) {
      const cp = checkpoints.find((c) => c.treeSize === maxCheckpointSize)!;
      problems.push({
        seq: tree.size + 1,
        checkpoint: cp.id,
        reason: `entries ${tree.size + 1}–${maxCheckpointSize} are missing: checkpoint ${cp.id} covers ${maxCheckpointSize} entries (the tail was truncated)`,
      });
    }
    if (anchor && maxCheckpointSize < anchor.seq) {
      problems.push({
        seq: anchor.seq,
        type: 'prune',
        reason: `no checkpoint covers this prune entry, so nothing vouches for the removal of entries 1–${anchor.toSeq}`,
      });
    }
    if (baselineNext !== null) {
      const missingFrom = (baselineNext as LedgerEntry).seq;
      problems.push({
        seq: Math.min(missingFrom, tree.size + 1),
        reason: `entries from ${missingFrom} on are in ${baseline!.label} but not in the ledger (rolled back)`,
      });
    }
  }

  await baselineEntries?.return?.(undefined);

  // An export: its header and its seal must describe exactly what it holds (nothing cut).
  if (snapshot.framing) {
    const sealed = checkExportSeal(snapshot.framing, {
      headHash: completed ? (result.entries > 0 ? prevHash : null) : undefined,
      trustedKeyIds,
      checkpointsSigned: checkpoints.some((cp) => cp.signature !== null),
    });
    problems.push(...sealed.problems);
    result.exportSeal = sealed.seal;
  }

  // Every checkpoint of the earlier export must still be there, unchanged (else: rolled back).
  for (const saved of baseline?.checkpoints ?? []) {
    if (saved.treeSize < result.prunedThrough) continue;
    const now = checkpointIds.get(saved.id);
    if (!now) {
      problems.push({
        seq: Math.min(saved.treeSize, tree.size + 1),
        checkpoint: saved.id,
        reason: `checkpoint ${saved.id} (tree size ${saved.treeSize}) of ${baseline!.label} is missing from the ledger (rolled back or deleted)`,
      });
    } else if (
      now.treeSize !== saved.treeSize ||
      now.rootHash !== saved.rootHash ||
      now.signature !== saved.signature
    ) {
      problems.push({
        seq: Math.min(saved.treeSize, now.treeSize),
        checkpoint: saved.id,
        reason: `checkpoint ${saved.id} differs from the one in ${baseline!.label} (tree size, root or signature): rewritten`,
      });
    }
  }

  result.treeSize = tree.size;
  result.rootHash = tree.size > 0 ? frontierRoot(tree).toString('hex') : null;
  result.unanchored = Math.max(0, tree.size - maxCheckpointSize);
  result.firstBad = firstOf(problems);
  result.ok = result.firstBad === undefined;
  result.signed = result.ok && checkpoints.length > 0 && result.unsignedCheckpoints === 0;
  return result;

  /** Streams the entries; false when it stopped at a problem. */
  async function readEntries(): Promise<boolean> {
    const startProblem = tree.size > 0 ? rootProblem() : undefined;
    if (startProblem) {
      problems.push(startProblem);
      return false;
    }
    let expected = tree.size + 1;
    let previousType: LedgerEntry['type'] | undefined;
    try {
      for await (const entry of snapshot.entries()) {
        const problem = await entryProblem(entry, expected, previousType);
        if (problem) {
          problems.push(problem);
          return false;
        }
        tree = appendLeaf(tree, entryLeaf(entry.hash));
        prevHash = entry.hash;
        previousType = entry.type;
        result.entries++;
        expected++;
        const atCheckpoint = rootProblem();
        if (atCheckpoint) {
          problems.push(atCheckpoint);
          return false;
        }
      }
    } catch (err) {
      if (!(err instanceof MalformedExportLine)) throw err;
      problems.push({ seq: expected, reason: err.message });
      return false;
    }
    return true;
  }

  async function entryProblem(
    entry: LedgerEntry,
    expected: number,
    previousType: LedgerEntry['type'] | undefined,
  ): Promise<FirstBad | undefined> {
    if (!Number.isSafeInteger(entry.seq) || entry.seq < expected)
      return {
        seq: expected,
        reason: `an entry out of order (seq ${String(entry.seq)}) follows entry ${expected - 1}`,
      };
    if (entry.seq > expected) {
      const range =
        entry.seq - 1 > expected ? `entries ${expected}–${entry.seq - 1} are` : `entry ${expected} is`;
      return { seq: expected, reason: `${range} missing (deleted)` };
    }
    if (safeEntryHash(entry) !== entry.hash)
      return {
        seq: entry.seq,
        type: entry.type,
        reason: 'its content does not match its hash: edited after it was written',
      };
    if (entry.prevHash !== prevHash)
      return result.entries === 0
        ? {
            seq: entry.seq,
            type: entry.type,
            reason: anchor
              ? `it does not link to entry ${anchor.toSeq}, the last one removed by the prune recorded in entry ${anchor.seq}`
              : 'it does not link to the start of the ledger',
          }
        : {
            seq: entry.seq - 1,
            type: previousType,
            reason: `altered and re-hashed: entry ${entry.seq} still links to its original hash`,
          };
    const differs = await compareWithBaseline(entry);
    if (differs) return differs;
    if (entry.type === 'checkpoint_anchor') return anchoredCheckpointProblem(entry, checkpointIds, anchor);
    return undefined;
  }

  async function compareWithBaseline(entry: LedgerEntry): Promise<FirstBad | undefined> {
    while (baselineNext !== null && (baselineNext as LedgerEntry).seq < entry.seq) await advanceBaseline();
    const saved = baselineNext as LedgerEntry | null;
    if (saved === null || saved.seq !== entry.seq) return undefined;
    await advanceBaseline();
    if (saved.hash === entry.hash) return undefined;
    return {
      seq: entry.seq,
      type: entry.type,
      reason: `it differs from the same entry in ${baseline!.label}: history was rewritten since`,
    };
  }
}

function checkpointProblem(
  cp: LedgerCheckpoint,
  previous: LedgerCheckpoint | null,
  anchor: (PrunePayload & { seq: number }) | null,
  trustedKeyIds: readonly string[],
  seenSigned: boolean,
): string | null {
  if (!previous && anchor && cp.id !== anchor.firstKeptCheckpoint.id)
    return `the first checkpoint kept by the prune in entry ${anchor.seq} was ${anchor.firstKeptCheckpoint.id} (deleted, or one was added)`;
  const expectedPrev = previous ? previous.id : anchor ? anchor.firstKeptCheckpoint.prev : null;
  if (cp.prevCheckpointId !== expectedPrev)
    return expectedPrev === null
      ? `it points back to checkpoint ${cp.prevCheckpointId}, but it is the first`
      : `it points back to checkpoint ${cp.prevCheckpointId}, not ${expectedPrev} (a checkpoint was deleted or inserted)`;
  if (!Number.isSafeInteger(cp.treeSize) || cp.treeSize < 1)
    return `its tree size ${cp.treeSize} is not a size`;
  if (previous && cp.treeSize < previous.treeSize)
    return `its tree size ${cp.treeSize} is smaller than checkpoint ${previous.id}'s ${previous.treeSize} (rolled back)`;
  if (anchor && cp.treeSize < anchor.toSeq)
    return `it covers ${cp.treeSize} entries, fewer than were pruned (${anchor.toSeq}): it should have gone with them`;
  if (cp.signature === null)
    return seenSigned ? 'it is unsigned although earlier checkpoints are signed (signature stripped)' : null;
  if (!cp.publicKey || !cp.keyId) return 'it is signed but carries no public key';
  let keyId: string;
  try {
    keyId = keyIdOf(cp.publicKey);
  } catch {
    return 'its public key is not a key';
  }
  if (keyId !== cp.keyId) return 'its key id does not match its public key';
  const statement = checkpointStatement({
    treeSize: cp.treeSize,
    rootHash: cp.rootHash,
    at: cp.at,
    runId: cp.runId,
    previousCheckpoint: cp.prevCheckpointId,
  });
  if (!signatureValid(statement, cp.signature, cp.publicKey))
    return 'its signature does not verify (forged or altered)';
  if (trustedKeyIds.length && !trustedKeyIds.includes(keyId))
    return `it is signed by key ${short(keyId)}, which is not a trusted key (${trustedKeyIds.map(short).join(', ')}): forged`;
  return null;
}

/** A `checkpoint_anchor` entry names a checkpoint that must still exist as it was. */
function anchoredCheckpointProblem(
  entry: LedgerEntry,
  checkpoints: Map<number, LedgerCheckpoint>,
  anchor: (PrunePayload & { seq: number }) | null,
): FirstBad | undefined {
  const p = entry.payload as CheckpointAnchorPayload;
  if (anchor && p.checkpoint < anchor.firstKeptCheckpoint.id) return undefined;
  const cp = checkpoints.get(p.checkpoint);
  if (!cp)
    return {
      seq: entry.seq,
      type: entry.type,
      reason: `it records checkpoint ${p.checkpoint} (tree size ${p.treeSize}), which is missing (deleted)`,
    };
  if (cp.treeSize !== p.treeSize || cp.rootHash !== p.rootHash)
    return {
      seq: entry.seq,
      type: entry.type,
      checkpoint: cp.id,
      reason: `it records checkpoint ${p.checkpoint} with tree size ${p.treeSize} and root ${short(p.rootHash)}, but the checkpoint now says ${cp.treeSize} and ${short(cp.rootHash)} (rewritten)`,
    };
  return undefined;
}

function safeEntryHash(entry: LedgerEntry): string | null {
  try {
    return entryHash(entry);
  } catch {
    return null;
  }
}

/** The problem at the smallest seq; at equal seq an entry's own problem before a checkpoint's. */
function firstOf(problems: FirstBad[]): FirstBad | undefined {
  let best: FirstBad | undefined;
  for (const p of problems) {
    if (
      !best ||
      p.seq < best.seq ||
      (p.seq === best.seq && p.checkpoint === undefined && best.checkpoint !== undefined)
    )
      best = p;
  }
  return best;
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
