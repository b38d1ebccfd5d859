import type { QualityGateRecord, QualityGateStatus } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  IntegerColumn,
  JsonColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** Projection: the current version of each `quality-gate` record (external id: the SonarQube analysis key). */
@Entity({ name: 'quality_gate' })
@Index('IDX_quality_gate_revision', ['revision'])
@Index('IDX_quality_gate_service', ['service', 'analysedAt'])
export class QualityGateEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('project_key', 400)
  projectKey!: string;

  /** The service of the SonarQube project (service catalog / naming defaults, at ingest). */
  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  /** The analysed commit SHA; null when the analysis had no SCM revision. */
  @VarcharColumn('revision', 64, { nullable: true })
  revision!: string | null;

  @InstantColumn('analysed_at')
  analysedAt!: string;

  @VarcharColumn('status', 10)
  status!: QualityGateStatus;

  @JsonColumn('conditions', { nullable: true })
  conditions!: QualityGateRecord['conditions'] | null;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
