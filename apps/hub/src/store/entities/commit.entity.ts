import type { SignatureStatus } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  IntegerColumn,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** Projection: the current version of each `commit` record. `commit` is an SQL keyword, hence `git_commit`. */
@Entity({ name: 'git_commit' })
@Index('IDX_git_commit_sha', ['sha'])
export class CommitEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** `<project path>@<sha>`. */
  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('project', 512)
  project!: string;

  @VarcharColumn('sha', 64)
  sha!: string;

  @TextColumn('title')
  title!: string;

  @TextColumn('message')
  message!: string;

  @VarcharColumn('author_name', 255)
  authorName!: string;

  @VarcharColumn('author_email', 320)
  authorEmail!: string;

  @InstantColumn('committed_at')
  committedAt!: string;

  @VarcharColumn('signature', 20)
  signature!: SignatureStatus;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
