import type { ChangeApprovalStatus, ChangeState, ChangeType } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  InstantColumn,
  IntegerColumn,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Projection: the current version of each `change` record. Its external id is the change number
 * (`CHG…`), kept in `number`; link rows name changes by number alone, hence the index on it.
 */
@Entity({ name: 'change_request' })
@Index('IDX_change_request_number', ['number'])
export class ChangeRequestEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** The change number: the record's external id. */
  @VarcharPrimaryColumn('number', 64)
  number!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('sys_id', 64)
  sysId!: string;

  @VarcharColumn('type', 20)
  type!: ChangeType;

  @VarcharColumn('state', 20)
  state!: ChangeState;

  @VarcharColumn('approval', 20)
  approval!: ChangeApprovalStatus;

  @InstantColumn('approval_set_at', { nullable: true })
  approvalSetAt!: string | null;

  @InstantColumn('planned_start', { nullable: true })
  plannedStart!: string | null;

  @InstantColumn('planned_end', { nullable: true })
  plannedEnd!: string | null;

  @VarcharColumn('requested_by', 255, { nullable: true })
  requestedBy!: string | null;

  @VarcharColumn('assigned_to', 255, { nullable: true })
  assignedTo!: string | null;

  @VarcharColumn('ci_sys_id', 64, { nullable: true })
  ciSysId!: string | null;

  @VarcharColumn('ci_name', 255, { nullable: true })
  ciName!: string | null;

  @InstantColumn('closed_at', { nullable: true })
  closedAt!: string | null;

  @VarcharColumn('close_code', 100, { nullable: true })
  closeCode!: string | null;

  @TextColumn('short_description')
  shortDescription!: string;

  @TextColumn('description')
  description!: string;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
