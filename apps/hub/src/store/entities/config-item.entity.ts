import type { ConfigItemRecord } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** Projection: the current version of each `config-item` record (external id: the CMDB `sys_id`). */
@Entity({ name: 'config_item' })
@Index('IDX_config_item_name', ['name'])
@Index('IDX_config_item_service', ['service', 'installStatus'])
export class ConfigItemEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** The CMDB `sys_id`. */
  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('name', 255)
  name!: string;

  @VarcharColumn('class', 100)
  class!: string;

  @VarcharColumn('version', 255, { nullable: true })
  version!: string | null;

  /** The CMDB's `used_for` (e.g. `Production`), as written. */
  @VarcharColumn('environment', 100, { nullable: true })
  environment!: string | null;

  @VarcharColumn('install_status', 20)
  installStatus!: ConfigItemRecord['installStatus'];

  /** `business_criticality` 1 (most critical) to 4; null when the CMDB has none. */
  @IntegerColumn('criticality', { nullable: true })
  criticality!: number | null;

  @VarcharColumn('owner_group', 255, { nullable: true })
  ownerGroup!: string | null;

  /** Decided at ingest: the catalog service whose `keys.cmdb` is this name, else the name (lower-cased). */
  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
