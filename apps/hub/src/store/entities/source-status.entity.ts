import type { RecordKind, SourceStatus } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  CONNECTOR_LENGTH,
  InstantColumn,
  IntegerColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** A problem a stream met without failing (a page or item it could not read, and why). */
export interface SourceProblem {
  message: string;
  [detail: string]: unknown;
}

/** How one (connector, stream) fared in one run; partial-run semantics are per record kind. */
@Entity({ name: 'source_status' })
@Index('IDX_source_status_stream', ['connector', 'stream', 'startedAt'])
export class SourceStatusEntity {
  @VarcharPrimaryColumn('run_id', RUN_ID_LENGTH)
  runId!: string;

  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('stream', 100)
  stream!: string;

  @VarcharColumn('status', 20)
  status!: SourceStatus;

  @IntegerColumn('records')
  records!: number;

  @TextColumn('error', { nullable: true })
  error!: string | null;

  @JsonColumn('problems')
  problems!: SourceProblem[];

  /** The record kinds the stream writes. */
  @JsonColumn('kinds')
  kinds!: RecordKind[];

  /**
   * The count and problems as of the stream's last cursor committed in this run: a retried job
   * resumes from that cursor, and from these, so no record is counted twice.
   */
  @JsonColumn('resume', { nullable: true })
  resume?: { records: number; problems: SourceProblem[] } | null;

  @InstantColumn('started_at')
  startedAt!: string;

  @InstantColumn('finished_at', { nullable: true })
  finishedAt!: string | null;
}
