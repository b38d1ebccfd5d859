import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { InstantColumn, IntegerColumn, RUN_ID_LENGTH, TextColumn, VarcharColumn } from './columns';

/**
 * A checkpoint of the evidence ledger: the RFC 6962 Merkle root over entries 1..treeSize, signed
 * with Ed25519 over the canonical JSON of `{treeSize, rootHash, at, runId, previousCheckpoint}`
 * (unsigned when no `evidence.signingKey` is configured).
 */
@Entity({ name: 'evidence_checkpoint' })
@Index('IDX_evidence_checkpoint_size', ['treeSize'])
export class EvidenceCheckpointEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  /** The run after which it was taken; null for a retention prune's checkpoint. */
  @VarcharColumn('run_id', RUN_ID_LENGTH, { nullable: true })
  runId!: string | null;

  @IntegerColumn('tree_size')
  treeSize!: number;

  /** Hex SHA-256. */
  @VarcharColumn('root_hash', 64)
  rootHash!: string;

  /** Base64 Ed25519 signature; null when unsigned. */
  @TextColumn('signature', { nullable: true })
  signature!: string | null;

  /** Hex SHA-256 of the public key (SPKI DER). */
  @VarcharColumn('key_id', 64, { nullable: true })
  keyId!: string | null;

  /** The public key (SPKI PEM) the signature verifies with. */
  @TextColumn('public_key', { nullable: true })
  publicKey!: string | null;

  @IntegerColumn('prev_checkpoint_id', { nullable: true })
  prevCheckpointId!: number | null;

  @InstantColumn('created_at')
  createdAt!: string;
}
