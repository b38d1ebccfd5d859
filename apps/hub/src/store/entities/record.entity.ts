import type { RecordKind } from '@audit-hub/domain';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import {
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  VarcharColumn,
} from './columns';

/**
 * Every version of every normalized record (records.md): a new version is written when the
 * content hash changes or the record is seen deleted/undeleted; `validTo` null marks the current
 * one, so `[validFrom, validTo)` answers as-of queries.
 */
@Entity({ name: 'record' })
@Index('UQ_record_current', ['connector', 'kind', 'externalId'], { unique: true, where: 'valid_to IS NULL' })
@Index('IDX_record_history', ['connector', 'kind', 'externalId', 'validFrom'])
@Index('IDX_record_as_of', ['kind', 'validFrom', 'validTo'])
export class RecordEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  @VarcharColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharColumn('kind', 32)
  kind!: RecordKind;

  @VarcharColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  /** SHA-256 (hex) of the RFC 8785 canonical JSON of `data`; `raw` is not part of it. */
  @VarcharColumn('content_hash', 64)
  contentHash!: string;

  @JsonColumn('data')
  data!: unknown;

  /** The upstream JSON the record was mapped from, secrets removed. */
  @Column({ name: 'raw', type: 'simple-json', nullable: true })
  raw!: unknown;

  @InstantColumn('first_seen_at')
  firstSeenAt!: string;

  @InstantColumn('last_seen_at')
  lastSeenAt!: string;

  @InstantColumn('valid_from')
  validFrom!: string;

  /** Null for the current version. */
  @InstantColumn('valid_to', { nullable: true })
  validTo!: string | null;

  /** Set when a complete snapshot no longer contained the record. */
  @InstantColumn('deleted_at', { nullable: true })
  deletedAt!: string | null;

  /** The run that wrote this version. */
  @VarcharColumn('run_id', RUN_ID_LENGTH)
  runId!: string;
}
