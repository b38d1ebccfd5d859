import type { BuildRecord, DeploymentCause, TestReportSummary } from '@audit-hub/domain';
import { Column, Entity, Index } from 'typeorm';
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

/**
 * Projection: the current version of each `build` record (Jenkins builds that are not deployments,
 * external id `<job fullName>#<number>`): the builds that produce the artifacts deployments use.
 */
@Entity({ name: 'build' })
@Index('IDX_build_job', ['job', 'number'])
@Index('IDX_build_commit', ['commitSha'])
export class BuildEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('job', 512)
  job!: string;

  @IntegerColumn('number')
  number!: number;

  @VarcharColumn('result', 20)
  result!: string;

  @InstantColumn('started_at')
  startedAt!: string;

  /**
   * bigint: a build that hung for more than 24.8 days overflows a 32-bit integer; the pg driver
   * returns bigint as a string, so it is read back as a number.
   */
  @Column({
    name: 'duration_ms',
    type: 'bigint',
    nullable: false,
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  durationMs!: number;

  /** `started_at` + `duration_ms` (controls.md "deployment times"), so SQL need not add times. */
  @InstantColumn('finished_at')
  finishedAt!: string;

  @VarcharColumn('commit_sha', 64, { nullable: true })
  commitSha!: string | null;

  @JsonColumn('parameters')
  parameters!: Record<string, string>;

  @JsonColumn('causes')
  causes!: DeploymentCause[];

  @JsonColumn('artifacts')
  artifacts!: BuildRecord['artifacts'];

  /** Null when the build archived no test report. */
  @JsonColumn('test_report', { nullable: true })
  testReport!: TestReportSummary | null;

  /** The service of the job (service catalog / naming defaults, at ingest). */
  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
