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

/** Projection: the current version of each `merge-request` record (external id `<project>!<iid>`). */
@Entity({ name: 'merge_request' })
@Index('IDX_merge_request_merge_commit', ['mergeCommitSha'])
export class MergeRequestEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('project', 512)
  project!: string;

  /** The service of the MR's project (service catalog / naming defaults, at ingest). */
  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  @IntegerColumn('iid')
  iid!: number;

  @TextColumn('title')
  title!: string;

  @TextColumn('description')
  description!: string;

  @VarcharColumn('author', 255)
  author!: string;

  @VarcharColumn('merged_by', 255, { nullable: true })
  mergedBy!: string | null;

  @InstantColumn('merged_at', { nullable: true })
  mergedAt!: string | null;

  @VarcharColumn('merge_commit_sha', 64, { nullable: true })
  mergeCommitSha!: string | null;

  @VarcharColumn('squash_commit_sha', 64, { nullable: true })
  squashCommitSha!: string | null;

  @VarcharColumn('target_branch', 512)
  targetBranch!: string;

  /** User names; null when approvals could not be read (Premium endpoint missing). */
  @JsonColumn('approved_by', { nullable: true })
  approvedBy!: string[] | null;

  @IntegerColumn('approvals_required', { nullable: true })
  approvalsRequired!: number | null;

  @IntegerColumn('approvals_left', { nullable: true })
  approvalsLeft!: number | null;

  @JsonColumn('commit_shas')
  commitShas!: string[];

  @BooleanColumn('deleted')
  deleted!: boolean;
}
