/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing, §2.1: leaf = SHA-256(0x00 || data),
 * node = SHA-256(0x01 || left || right), the empty tree's root = SHA-256(""). The ledger keeps
 * only the tree's frontier — the roots of the perfect subtrees along its right edge, one per set
 * bit of the size, largest first — so appending costs O(log n) and the root is a fold of at most
 * log2(n) hashes, whatever the history's length.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export const EMPTY_ROOT = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * MTH(D[n]) exactly as RFC 6962 §2.1 defines it (split at the largest power of two below n), over
 * leaf hashes already computed. O(n): the reference the incremental frontier is checked against.
 */
export function referenceRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return Buffer.from(leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** A tree of `size` leaves reduced to its frontier (hex SHA-256 subtree roots, largest first). */
export interface MerkleFrontier {
  size: number;
  frontier: string[];
}

export const EMPTY_FRONTIER: MerkleFrontier = { size: 0, frontier: [] };

/** The frontier after appending one leaf hash: merges equal-size subtrees, as a binary counter carries. */
export function appendLeaf(tree: MerkleFrontier, leaf: Uint8Array): MerkleFrontier {
  const frontier = [...tree.frontier];
  let hash: Buffer = Buffer.from(leaf);
  for (let size = tree.size; size & 1; size = Math.floor(size / 2)) {
    const left = frontier.pop();
    if (left === undefined) throw new Error(`Merkle frontier of size ${tree.size} is missing a subtree`);
    hash = nodeHash(Buffer.from(left, 'hex'), hash);
  }
  frontier.push(hash.toString('hex'));
  return { size: tree.size + 1, frontier };
}

/** The root of the tree a frontier describes: its subtrees folded from the right. */
export function frontierRoot(tree: MerkleFrontier): Buffer {
  if (!isWellFormed(tree)) throw new Error(`Merkle frontier of size ${tree.size} is malformed`);
  if (tree.size === 0) return EMPTY_ROOT;
  let root: Buffer = Buffer.from(tree.frontier[tree.frontier.length - 1], 'hex');
  for (let i = tree.frontier.length - 2; i >= 0; i--)
    root = nodeHash(Buffer.from(tree.frontier[i], 'hex'), root);
  return root;
}

/** One 64-hex-digit subtree root per set bit of the size. */
export function isWellFormed(tree: MerkleFrontier): boolean {
  if (!Number.isSafeInteger(tree.size) || tree.size < 0 || !Array.isArray(tree.frontier)) return false;
  let bits = 0;
  for (let size = tree.size; size > 0; size = Math.floor(size / 2)) bits += size & 1;
  return (
    bits === tree.frontier.length &&
    tree.frontier.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))
  );
}

/** The leaf an evidence entry contributes: the leaf hash of its entry hash's 32 bytes. */
export function entryLeaf(entryHashHex: string): Buffer {
  return leafHash(Buffer.from(entryHashHex, 'hex'));
}
