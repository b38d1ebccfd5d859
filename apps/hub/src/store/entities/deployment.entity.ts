import type {
  DeploymentApproval,
  DeploymentArtifact,
  DeploymentCause,
  DeploymentStatus,
  TestReportSummary,
  Tier,
} from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  IntegerColumn,
  JsonColumn,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Projection: the current version of each `deployment` record, one row per (connector,
 * external_id), written by RecordStore in the transaction that writes the record. Controls join
 * this table instead of parsing record JSON.
 */
@Entity({ name: 'deployment' })
@Index('IDX_deployment_production', ['isProduction', 'status', 'startedAt'])
@Index('IDX_deployment_service', ['service', 'environment', 'startedAt'])
@Index('IDX_deployment_commit', ['commitSha'])
export class DeploymentEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  /** The `record` version this row was projected from. */
  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('project', 512)
  project!: string;

  /** The record's own service, else the service catalog's / naming defaults' (at ingest). */
  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  @VarcharColumn('environment', 255)
  environment!: string;

  @VarcharColumn('tier', 20, { nullable: true })
  tier!: Tier | null;

  /** Decided at ingest: the upstream's tier, else the `environments.production` patterns. */
  @BooleanColumn('is_production')
  isProduction!: boolean;

  @VarcharColumn('status', 20)
  status!: DeploymentStatus;

  @InstantColumn('started_at')
  startedAt!: string;

  @InstantColumn('finished_at', { nullable: true })
  finishedAt!: string | null;

  @VarcharColumn('commit_sha', 64)
  commitSha!: string;

  @TextColumn('commit_message', { nullable: true })
  commitMessage!: string | null;

  @VarcharColumn('ref', 512)
  ref!: string;

  @BooleanColumn('is_tag')
  isTag!: boolean;

  @VarcharColumn('version', 255, { nullable: true })
  version!: string | null;

  @VarcharColumn('triggered_by', 255, { nullable: true })
  triggeredBy!: string | null;

  @BooleanColumn('via_pipeline')
  viaPipeline!: boolean;

  @VarcharColumn('pipeline_id', 64, { nullable: true })
  pipelineId!: string | null;

  @VarcharColumn('pipeline_source', 64, { nullable: true })
  pipelineSource!: string | null;

  @VarcharColumn('job_name', 512, { nullable: true })
  jobName!: string | null;

  /** `{}` also when they could not be read: then `unreadFields` names `variables`. */
  @JsonColumn('variables')
  variables!: Record<string, string>;

  /**
   * The record's fields the upstream would not let us read (`variables`), null when none: controls
   * leave a subject undecided when its decision would rest on one of them (records.md).
   */
  @JsonColumn('unread_fields', { nullable: true })
  unreadFields!: string[] | null;

  /** Null when the upstream could not tell (records.md). */
  @JsonColumn('approvals', { nullable: true })
  approvals!: DeploymentApproval[] | null;

  @JsonColumn('test_report', { nullable: true })
  testReport!: TestReportSummary | null;

  @JsonColumn('artifacts')
  artifacts!: DeploymentArtifact[];

  @JsonColumn('causes', { nullable: true })
  causes!: DeploymentCause[] | null;

  /** The record was seen gone by a complete snapshot. */
  @BooleanColumn('deleted')
  deleted!: boolean;
}
