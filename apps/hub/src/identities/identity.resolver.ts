/**
 * Resolves the user names of every system to persons (controls.md "identity"), in TypeScript so
 * that controls join a table instead of matching names and patterns in SQL. A name resolves, after
 * lower-casing, in this order:
 *
 * 1. the e-mail of a user of an identity source (`identities.sources`),
 * 2. the user name of a user of an identity source,
 * 3. a name listed in `identities.aliases` (e-mail → names): the person of that e-mail,
 * 4. a name or alias name of an entitlement holder (a Vault entity's user names are its name and
 *    its aliases' names: it resolves to a person when any of them does),
 * 5. else an `unknown` person keyed by the lower-cased name.
 *
 * Only identity-source users make a person known, and only they decide whether it is active; other
 * systems' user lists never do. A person is a service account when one of its names matches
 * `identities.serviceAccountPattern`, or when it is a CyberArk predefined member.
 */

/** A user of an identity source (an `identity` record of a connector in `identities.sources`). */
export interface SourceIdentity {
  connector: string;
  userName: string;
  email: string | null;
  name: string | null;
  active: boolean;
}

/** An entitlement holder: its name, its other user names, and whether CyberArk predefines it. */
export interface HolderNames {
  name: string;
  aliases: readonly string[];
  predefined: boolean;
}

export interface IdentityResolverOptions {
  /** Identity-source users, in priority order (the first one wins where two claim a name). */
  identities: readonly SourceIdentity[];
  /** `identities.aliases`: e-mail → the user names the same person has elsewhere. */
  aliases?: Readonly<Record<string, readonly string[]>>;
  /** `identities.serviceAccountPattern`, an ECMAScript regular expression. */
  serviceAccountPattern: string;
  /** Entitlement holders, in priority order. */
  holders?: readonly HolderNames[];
}

/** What a control needs to know of the person behind a name. */
export interface ResolvedIdentity {
  personKey: string;
  /** Known to an identity source. */
  known: boolean;
  /** Active in at least one identity source (false when unknown). */
  active: boolean;
  serviceAccount: boolean;
}

/** A person as the `person` table holds it, with the names that resolve to it. */
export interface Person extends ResolvedIdentity {
  displayName: string | null;
  email: string | null;
  /** The identity source that knows the person (the first one); null when unknown. */
  sourceConnector: string | null;
  /** Every name that resolves to the person, as written where it was seen. */
  names: string[];
}

/** How `resolve` looks a name up: trimmed and lower-cased. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * The keys `person_name` holds for a name as written: what SQL `LOWER()` gives for it on
 * PostgreSQL (full Unicode lower-casing) and on SQLite (ASCII letters only), and the trimmed form.
 */
export function nameLowerVariants(name: string): string[] {
  const ascii = name.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
  return [...new Set([name.toLowerCase(), ascii, nameKey(name)])].filter((key) => key.length > 0);
}

interface MutablePerson extends Person {
  predefined: boolean;
}

export class IdentityResolver {
  private readonly pattern: RegExp;
  private readonly persons = new Map<string, MutablePerson>();
  private readonly byEmail = new Map<string, string>();
  private readonly byUserName = new Map<string, string>();
  private readonly byAlias = new Map<string, string>();
  private readonly byHolder = new Map<string, string>();

  constructor(options: IdentityResolverOptions) {
    this.pattern = new RegExp(options.serviceAccountPattern);
    this.addIdentities(options.identities);
    this.addAliases(options.aliases ?? {});
    this.addHolders(options.holders ?? []);
  }

  /** The person a name resolves to. */
  resolve(name: string): ResolvedIdentity {
    const key = nameKey(name);
    if (!key) throw new RangeError('IdentityResolver.resolve: the name is empty');
    const person = this.lookup(key);
    if (person) return this.flagsOf(person);
    return { personKey: key, known: false, active: false, serviceAccount: this.isServiceAccountName(name) };
  }

  /**
   * Every person the sources, aliases and holders define, plus an unknown person for each of
   * `names` that resolves to none of them; and every name (theirs and `names`, in every
   * `nameLowerVariants` form) → its person's key. Where two names share a lower-cased form, the
   * first one wins: identity-source names, then aliases, then holders, then `names` in order.
   */
  directory(names: Iterable<string>): { persons: Person[]; names: Map<string, string> } {
    const persons = new Map<string, MutablePerson>();
    for (const [key, person] of this.persons) persons.set(key, { ...person, names: [...person.names] });
    const nameRows = new Map<string, string>();
    const register = (name: string, personKey: string) => {
      for (const variant of nameLowerVariants(name))
        if (!nameRows.has(variant)) nameRows.set(variant, personKey);
    };
    for (const person of persons.values()) for (const name of person.names) register(name, person.personKey);
    for (const name of names) {
      const key = nameKey(name);
      if (!key) continue;
      const known = this.lookup(key);
      if (known) {
        register(name, known.personKey);
        continue;
      }
      let person = persons.get(key);
      if (!person) {
        person = unknownPerson(key, name);
        persons.set(key, person);
      }
      if (!person.names.includes(name)) person.names.push(name);
      register(name, key);
    }
    return {
      persons: [...persons.values()].map((person) => this.finish(person)),
      names: nameRows,
    };
  }

  private lookup(key: string): MutablePerson | undefined {
    const personKey =
      this.byEmail.get(key) ?? this.byUserName.get(key) ?? this.byAlias.get(key) ?? this.byHolder.get(key);
    return personKey === undefined ? undefined : this.persons.get(personKey);
  }

  /** Only identity-source names: what makes a person known. */
  private lookupDeclared(key: string): MutablePerson | undefined {
    const personKey = this.byEmail.get(key) ?? this.byUserName.get(key) ?? this.byAlias.get(key);
    return personKey === undefined ? undefined : this.persons.get(personKey);
  }

  /**
   * One person per e-mail (else per user name): the same user in two sources is one person. A user
   * without an e-mail whose user name is another user's e-mail is that user.
   */
  private addIdentities(identities: readonly SourceIdentity[]): void {
    for (const identity of identities) {
      const userKey = nameKey(identity.userName);
      if (!userKey) continue;
      const emailKey = identity.email ? nameKey(identity.email) : '';
      const personKey = emailKey || userKey;
      let person = this.persons.get(personKey);
      if (!person) {
        person = {
          personKey,
          displayName: identity.name?.trim() || identity.userName,
          email: identity.email?.trim() || null,
          known: true,
          active: false,
          serviceAccount: false,
          sourceConnector: identity.connector,
          names: [],
          predefined: false,
        };
        this.persons.set(personKey, person);
      }
      person.active ||= identity.active;
      addName(person, identity.userName);
      if (identity.email) addName(person, identity.email);
      if (emailKey && !this.byEmail.has(emailKey)) this.byEmail.set(emailKey, personKey);
    }
    // User names are indexed after every e-mail, so that an e-mail always beats a user name.
    for (const person of this.persons.values()) {
      for (const name of person.names) {
        const key = nameKey(name);
        if (!this.byEmail.has(key) && !this.byUserName.has(key)) this.byUserName.set(key, person.personKey);
      }
    }
  }

  /** An alias e-mail no source knows is an unknown person keyed by that e-mail. */
  private addAliases(aliases: Readonly<Record<string, readonly string[]>>): void {
    for (const [email, names] of Object.entries(aliases)) {
      const emailKey = nameKey(email);
      if (!emailKey) continue;
      let person = this.lookupDeclared(emailKey) ?? this.persons.get(emailKey);
      if (!person) {
        person = { ...unknownPerson(emailKey, email), email: email.trim() };
        this.persons.set(emailKey, person);
        this.byAlias.set(emailKey, emailKey);
      }
      for (const name of names) {
        const key = nameKey(name);
        if (!key || this.lookupDeclared(key)) continue;
        this.byAlias.set(key, person.personKey);
        addName(person, name);
      }
    }
  }

  private addHolders(holders: readonly HolderNames[]): void {
    for (const holder of holders) {
      const candidates = [holder.name, ...holder.aliases].filter((name) => nameKey(name));
      if (candidates.length === 0) continue;
      const person =
        firstOf(candidates, (name) => this.lookupDeclared(nameKey(name))) ??
        firstOf(candidates, (name) => {
          const key = this.byHolder.get(nameKey(name));
          return key === undefined ? undefined : this.persons.get(key);
        }) ??
        this.newUnknown(candidates[0]);
      if (holder.predefined) person.predefined = true;
      for (const name of candidates) {
        const key = nameKey(name);
        if (this.lookupDeclared(key) || this.byHolder.has(key)) continue;
        this.byHolder.set(key, person.personKey);
        addName(person, name);
      }
    }
  }

  private newUnknown(name: string): MutablePerson {
    const person = unknownPerson(nameKey(name), name);
    this.persons.set(person.personKey, person);
    return person;
  }

  private finish(person: MutablePerson): Person {
    const { predefined: _predefined, ...rest } = person;
    return { ...rest, serviceAccount: this.isServiceAccount(person) };
  }

  private isServiceAccount(person: MutablePerson): boolean {
    return person.predefined || person.names.some((name) => this.isServiceAccountName(name));
  }

  /** The pattern is tried on the name as written and lower-cased: JS has no inline `(?i)`. */
  private isServiceAccountName(name: string): boolean {
    const trimmed = name.trim();
    return this.pattern.test(trimmed) || this.pattern.test(trimmed.toLowerCase());
  }

  /** Flags of a person of this resolver (service account computed over all its names). */
  private flagsOf(person: MutablePerson): ResolvedIdentity {
    return flags({ ...person, serviceAccount: this.isServiceAccount(person) });
  }
}

function flags(person: ResolvedIdentity): ResolvedIdentity {
  return {
    personKey: person.personKey,
    known: person.known,
    active: person.known && person.active,
    serviceAccount: person.serviceAccount,
  };
}

function unknownPerson(key: string, name: string): MutablePerson {
  return {
    personKey: key,
    displayName: name.trim(),
    email: null,
    known: false,
    active: false,
    serviceAccount: false,
    sourceConnector: null,
    names: [name],
    predefined: false,
  };
}

function addName(person: Person, name: string): void {
  if (!person.names.includes(name)) person.names.push(name);
}

function firstOf<T, R>(items: readonly T[], pick: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const result = pick(item);
    if (result !== undefined) return result;
  }
  return undefined;
}
