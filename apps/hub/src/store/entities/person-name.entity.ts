import { Entity, Index } from 'typeorm';
import { VarcharColumn, VarcharPrimaryColumn } from './columns';
import { PERSON_KEY_LENGTH } from './person.entity';

/**
 * Derived: every user name or e-mail seen in the store (and in config) → the person it resolves
 * to, so controls join `person_name pn ON pn.name_lower = LOWER(<column>)` instead of resolving
 * names in SQL.
 */
@Entity({ name: 'person_name' })
@Index('IDX_person_name_person', ['personKey'])
export class PersonNameEntity {
  /** The name lower-cased (also in SQLite's ASCII-only LOWER form when that differs). */
  @VarcharPrimaryColumn('name_lower', PERSON_KEY_LENGTH)
  nameLower!: string;

  @VarcharColumn('person_key', PERSON_KEY_LENGTH)
  personKey!: string;
}
