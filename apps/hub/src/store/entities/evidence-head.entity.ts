import { Entity, PrimaryColumn } from 'typeorm';
import { IntegerColumn, JsonColumn, VarcharColumn } from './columns';

/**
 * The ledger's head (a single row, id 1): the last sequence number and hash, and the Merkle
 * frontier (the roots of the perfect subtrees on the tree's right edge, largest first), so an
 * append costs O(log n) and a run costs what it adds, not the whole history. Appenders lock this
 * row, which serializes them. A cache only: verification never trusts it.
 */
@Entity({ name: 'evidence_head' })
export class EvidenceHeadEntity {
  @PrimaryColumn({ name: 'id', type: 'integer' })
  id!: number;

  /** The last entry's seq, which is also the Merkle tree's size. */
  @IntegerColumn('size')
  size!: number;

  @VarcharColumn('last_hash', 64)
  lastHash!: string;

  /** Hex SHA-256 subtree roots, one per set bit of `size`, largest subtree first. */
  @JsonColumn('frontier')
  frontier!: string[];
}
