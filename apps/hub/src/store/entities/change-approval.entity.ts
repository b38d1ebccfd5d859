import type { ChangeApprovalRecord } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** Projection: the current version of each `change-approval` record (ServiceNow `sysapproval_approver`). */
@Entity({ name: 'change_approval' })
@Index('IDX_change_approval_change', ['changeNumber'])
export class ChangeApprovalEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** The approval record's `sys_id`. */
  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('change_number', 64)
  changeNumber!: string;

  @VarcharColumn('approver', 255)
  approver!: string;

  @VarcharColumn('state', 20)
  state!: ChangeApprovalRecord['state'];

  @InstantColumn('decided_at', { nullable: true })
  decidedAt!: string | null;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
