import { Entity } from 'typeorm';
import {
  CONNECTOR_LENGTH,
  InstantColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** The last committed cursor of a (connector, stream); saved with the batch it follows. */
@Entity({ name: 'stream_cursor' })
export class StreamCursorEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('stream', 100)
  stream!: string;

  /** Whatever the plugin's stream uses: a watermark, a build number, an upstream cursor. */
  @JsonColumn('cursor', { nullable: true })
  cursor!: unknown;

  @InstantColumn('updated_at')
  updatedAt!: string;

  /** When the stream last ended `complete`. */
  @InstantColumn('last_success_at', { nullable: true })
  lastSuccessAt!: string | null;

  @VarcharColumn('last_run_id', RUN_ID_LENGTH, { nullable: true })
  lastRunId!: string | null;
}
