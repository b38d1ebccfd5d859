/**
 * Resolves upstream user names to people through the derived `person_name` / `person` tables
 * (docs/identities.md), in one query per chunk of names, for controls that compare identities
 * held in JSON lists (MR approvers, deployment approvals).
 */
import { isSharedAccountName } from '@audit-hub/domain';
import { nameKey } from '../identities';
import { chunk, Queryable, sqlQuery } from '../common/sql';

export interface PersonRef {
  personKey: string;
  displayName: string | null;
  serviceAccount: boolean;
}

export class PersonLookup {
  private constructor(private readonly byName: Map<string, PersonRef>) {}

  static async load(db: Queryable, names: Iterable<string | null | undefined>): Promise<PersonLookup> {
    const keys = [
      ...new Set([...names].filter((n): n is string => !!n && !isSharedAccountName(n)).map(nameKey)),
    ];
    const byName = new Map<string, PersonRef>();
    for (const part of chunk(keys)) {
      const rows = await sqlQuery<{
        name_lower: string;
        person_key: string;
        display_name: string | null;
        service_account: unknown;
      }>(
        db,
        `SELECT pn.name_lower, p.person_key, p.display_name, p.service_account
         FROM person_name pn JOIN person p ON p.person_key = pn.person_key
         WHERE pn.name_lower IN (:...names)`,
        { names: part },
      );
      for (const r of rows) {
        byName.set(r.name_lower, {
          personKey: r.person_key,
          displayName: r.display_name,
          serviceAccount: r.service_account === true || r.service_account === 1 || r.service_account === '1',
        });
      }
    }
    return new PersonLookup(byName);
  }

  private shared = 0;

  /**
   * The person a name stands for; an unknown name stands for a person of its own. A shared
   * placeholder account (`~ghost`) stands for nobody in particular: each time it is asked, a person
   * of its own that no other action is (controls.md "identity": never "the same person").
   */
  of(name: string | null | undefined): PersonRef | undefined {
    if (!name) return undefined;
    if (isSharedAccountName(name)) {
      return {
        personKey: `shared:${nameKey(name)}#${++this.shared}`,
        displayName: name,
        serviceAccount: false,
      };
    }
    return (
      this.byName.get(nameKey(name)) ?? {
        personKey: `unknown:${nameKey(name)}`,
        displayName: name,
        serviceAccount: false,
      }
    );
  }

  same(a: string | null | undefined, b: string | null | undefined): boolean {
    const pa = this.of(a);
    const pb = this.of(b);
    return !!pa && !!pb && pa.personKey === pb.personKey;
  }
}
