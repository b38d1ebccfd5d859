import { Entity, Index } from 'typeorm';
import { BooleanColumn, CONNECTOR_LENGTH, VarcharColumn, VarcharPrimaryColumn } from './columns';

/** Lengths shared by the identity tables: e-mail addresses (RFC 5321) and user names. */
export const PERSON_KEY_LENGTH = 320;

/**
 * Derived, rebuilt at the start of every evaluation (identities/derived-model.service.ts): one row
 * per resolved identity (controls.md "identity"). Known persons come from the identity sources;
 * every other user name seen in the store that resolves to none of them is an `unknown` person
 * keyed by its lower-cased name.
 */
@Entity({ name: 'person' })
@Index('IDX_person_flags', ['known', 'active', 'serviceAccount'])
export class PersonEntity {
  /** Lower-cased e-mail of a known person (else lower-cased user name); lower-cased name of an unknown one. */
  @VarcharPrimaryColumn('person_key', PERSON_KEY_LENGTH)
  personKey!: string;

  @VarcharColumn('display_name', 255, { nullable: true })
  displayName!: string | null;

  @VarcharColumn('email', PERSON_KEY_LENGTH, { nullable: true })
  email!: string | null;

  /** Active in at least one identity source; always false for an unknown person. */
  @BooleanColumn('active')
  active!: boolean;

  /** Known to an identity source (`identities.sources`). */
  @BooleanColumn('known')
  known!: boolean;

  /** One of its names matches `identities.serviceAccountPattern`, or it is a CyberArk predefined member. */
  @BooleanColumn('service_account')
  serviceAccount!: boolean;

  /** The identity source that knows the person; null when unknown. */
  @VarcharColumn('source_connector', CONNECTOR_LENGTH, { nullable: true })
  sourceConnector!: string | null;
}
