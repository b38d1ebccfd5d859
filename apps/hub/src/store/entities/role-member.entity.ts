import { Entity, Index } from 'typeorm';
import { VarcharPrimaryColumn } from './columns';
import { PERSON_KEY_LENGTH } from './person.entity';

/**
 * Derived: the persons in each configured role (`roles` in config), one row per way they are in
 * it: `via` is the `<connector>:<group>` whose member they are, or `users` when the role's `users`
 * list names them.
 */
@Entity({ name: 'role_member' })
@Index('IDX_role_member_person', ['personKey', 'role'])
export class RoleMemberEntity {
  @VarcharPrimaryColumn('role', 100)
  role!: string;

  @VarcharPrimaryColumn('person_key', PERSON_KEY_LENGTH)
  personKey!: string;

  @VarcharPrimaryColumn('via', 400)
  via!: string;
}
