import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Projection: the current version of each `group-membership` record (external id
 * `<group>/<member>`): direct members only, as the upstream lists them.
 */
@Entity({ name: 'group_membership' })
@Index('IDX_group_membership_group', ['grp', 'member'])
@Index('IDX_group_membership_member', ['member'])
export class GroupMembershipEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  /** The group's name as the upstream names it (`group` is a reserved word in SQL). */
  @VarcharColumn('grp', 255)
  grp!: string;

  /** The member's user name (ServiceNow `user_name`, Vault entity name). */
  @VarcharColumn('member', 255)
  member!: string;

  /** The connector the record says it came from. */
  @VarcharColumn('source', CONNECTOR_LENGTH)
  source!: string;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
