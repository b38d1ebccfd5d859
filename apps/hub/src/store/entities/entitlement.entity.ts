import type { EntitlementRecord } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
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
 * Projection: the current version of each `entitlement` record (external id `<holder>:<resource>`):
 * a Vault (entity, policy) pair or a CyberArk (safe member, safe) pair (controls.md "entitlement").
 */
@Entity({ name: 'entitlement' })
@Index('IDX_entitlement_holder', ['holder'])
@Index('IDX_entitlement_resource', ['resource', 'isProduction'])
@Index('IDX_entitlement_production', ['isProduction', 'expiresAt'])
export class EntitlementEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  /** Vault entity name / CyberArk member name, as the upstream writes it. */
  @VarcharColumn('holder', 255)
  holder!: string;

  /** The holder's other user names (Vault alias names); resolved to a person by `person_name`. */
  @JsonColumn('holder_aliases')
  holderAliases!: string[];

  /** Vault policy / CyberArk safe. */
  @VarcharColumn('resource', 512)
  resource!: string;

  /** The Vault group that grants it, when not held directly. */
  @VarcharColumn('via', 255, { nullable: true })
  via!: string | null;

  @JsonColumn('permissions', { nullable: true })
  permissions!: string[] | null;

  /** Null: the grant never expires. */
  @InstantColumn('expires_at', { nullable: true })
  expiresAt!: string | null;

  @VarcharColumn('holder_type', 20)
  holderType!: EntitlementRecord['holderType'];

  /**
   * Decided at ingest: the resource matches the connector's `production.vaultPolicies` (Vault) or
   * `production.cyberarkSafes` (CyberArk) globs.
   */
  @BooleanColumn('is_production')
  isProduction!: boolean;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
