import fc from 'fast-check';
import {
  appendLeaf,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierRoot,
  isWellFormed,
  leafHash,
  MerkleFrontier,
  nodeHash,
  referenceRoot,
} from './merkle';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Certificate Transparency's reference inputs and tree heads for sizes 0..8 (RFC 6962 hashing). */
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** A second, bottom-up construction (pair neighbours, carry an odd last node up unchanged). */
function bottomUpRoot(leaves: Buffer[]): Buffer {
  if (!leaves.length) return EMPTY_ROOT;
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

function build(leaves: Buffer[]): MerkleFrontier {
  return leaves.reduce((tree, leaf) => appendLeaf(tree, leaf), EMPTY_FRONTIER);
}

describe('Merkle tree (RFC 6962)', () => {
  const leaves = CT_LEAVES.map((h) => leafHash(Buffer.from(h, 'hex')));

  it("matches Certificate Transparency's published tree heads for sizes 0..8, incrementally", () => {
    expect(hex(frontierRoot(EMPTY_FRONTIER))).toBe(CT_ROOTS[0]);
    let tree = EMPTY_FRONTIER;
    for (let n = 1; n <= leaves.length; n++) {
      tree = appendLeaf(tree, leaves[n - 1]);
      expect({ n, root: hex(frontierRoot(tree)) }).toEqual({ n, root: CT_ROOTS[n] });
      expect(hex(referenceRoot(leaves.slice(0, n)))).toBe(CT_ROOTS[n]);
    }
  });

  it('keeps one subtree root per set bit of the size', () => {
    const tree = build(leaves.slice(0, 7));
    expect(tree.size).toBe(7);
    expect(tree.frontier).toHaveLength(3);
    expect(tree.frontier[0]).toBe(hex(referenceRoot(leaves.slice(0, 4))));
    expect(isWellFormed(tree)).toBe(true);
    expect(isWellFormed({ size: 7, frontier: tree.frontier.slice(1) })).toBe(false);
    expect(() => frontierRoot({ size: 6, frontier: tree.frontier })).toThrow(/malformed/);
  });

  it('the incremental root equals the RFC 6962 reference and a bottom-up construction for every size 1..20', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 20 }),
        (data) => {
          const hashed = data.map((d) => leafHash(d));
          let tree = EMPTY_FRONTIER;
          for (let n = 1; n <= hashed.length; n++) {
            tree = appendLeaf(tree, hashed[n - 1]);
            const root = hex(frontierRoot(tree));
            expect(root).toBe(hex(referenceRoot(hashed.slice(0, n))));
            expect(root).toBe(hex(bottomUpRoot(hashed.slice(0, n))));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('changing, dropping or reordering one leaf changes the root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.nat(), (size, pick) => {
        const hashed = Array.from({ length: size }, (_, i) => leafHash(Buffer.from([i])));
        const root = hex(frontierRoot(build(hashed)));
        const i = pick % size;
        const changed = hashed.map((h, j) => (j === i ? leafHash(Buffer.from([255, i])) : h));
        expect(hex(frontierRoot(build(changed)))).not.toBe(root);
        expect(hex(frontierRoot(build(hashed.filter((_, j) => j !== i))))).not.toBe(root);
        const swapped = [...hashed];
        [swapped[i], swapped[(i + 1) % size]] = [swapped[(i + 1) % size], swapped[i]];
        expect(hex(frontierRoot(build(swapped)))).not.toBe(root);
      }),
    );
  });

  it('separates leaves from nodes (no second-preimage by promoting a node to a leaf)', () => {
    const a = leafHash(Buffer.from('a'));
    const b = leafHash(Buffer.from('b'));
    const twoLeaves = hex(referenceRoot([a, b]));
    const oneLeafOfTheirConcatenation = hex(referenceRoot([leafHash(Buffer.concat([a, b]))]));
    expect(twoLeaves).not.toBe(oneLeafOfTheirConcatenation);
  });
});
