import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** Projection: the current version of each `identity` record (identity sources' users). */
@Entity({ name: 'identity' })
@Index('IDX_identity_user_name', ['userName'])
@Index('IDX_identity_email', ['email'])
export class IdentityEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('user_name', 255)
  userName!: string;

  @VarcharColumn('email', 320, { nullable: true })
  email!: string | null;

  @VarcharColumn('name', 255)
  name!: string;

  @BooleanColumn('active')
  active!: boolean;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
