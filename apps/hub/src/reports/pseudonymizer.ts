/**
 * `report --redact`: replaces personal data (names, e-mail addresses, user names) with keyed
 * pseudonyms such as `person-3f9a1c`. The pseudonym is an HMAC-SHA256 of the person, so the same
 * key gives the same pseudonym in every report (they still join across reports and sections) while
 * nobody without the key can recompute who it is. A person's values are joined first (an identity's
 * user name, e-mail and display name; a commit's author name and e-mail; `identities.aliases`), so
 * `jdoe`, `Jane Doe` and `jane.doe@acme.com` all become the same pseudonym.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pushTo } from '../common/group-by';

export type PersonValueKind = 'email' | 'userName' | 'name';

export interface PersonValue {
  value: string;
  kind: PersonValueKind;
}

/** Person values and the groups of values known to be the same person. */
export interface PersonValues {
  values: PersonValue[];
  /** Each entry: values of one person (any kinds). */
  samePerson: string[][];
}

/** Where the key lives when `evidence.signingKey` is not set and none is passed in. */
export const DEFAULT_PSEUDONYM_KEY_FILE = './data/report-pseudonym.key';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Characters that continue a name or an address: a match must not sit inside a longer token. */
const BEFORE = '(?<![A-Za-z0-9_.@+-])';
const AFTER = '(?![A-Za-z0-9_@+-]|\\.[A-Za-z0-9])';
const HEX_LENGTH = 6;
const KIND_RANK: Record<PersonValueKind, number> = { email: 0, userName: 1, name: 2 };

/**
 * The pseudonym key: derived from `evidence.signingKey` when it is set (so every installation that
 * signs its ledger already has a stable secret), else read from `keyFile`, which is created with
 * 32 random bytes on first use (mode 0600).
 */
export function resolvePseudonymKey(
  signingKey: string | undefined,
  keyFile: string = DEFAULT_PSEUDONYM_KEY_FILE,
): Buffer {
  if (signingKey) return createHmac('sha256', signingKey).update('audit-hub report pseudonyms v1').digest();
  const path = resolve(keyFile);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(path, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another process created it between our read and write: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    throw err;
  }
}

function norm(value: string): string {
  return value.trim().toLowerCase();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class UnionFind {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    if (!this.parent.has(x)) this.parent.set(x, x);
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

export class Pseudonymizer {
  /** Normalized value → pseudonym. */
  private readonly byValue = new Map<string, string>();
  private readonly pattern: RegExp | undefined;

  /**
   * `reserved`: words of the report's own vocabulary (connector and plugin ids, service and
   * environment names) that are never replaced inside text, even when a person value equals one: a
   * system account named `jenkins` must not turn `jenkins:payments/deploy#311` into a pseudonym.
   * Person fields holding exactly such a value are still pseudonymized (see `redact`).
   */
  constructor(
    private readonly key: Buffer,
    people: PersonValues,
    reserved: readonly string[] = [],
  ) {
    const kinds = new Map<string, PersonValueKind>();
    const uf = new UnionFind();
    for (const { value, kind } of people.values) {
      const v = norm(value);
      if (!v) continue;
      const k = v.includes('@') ? 'email' : kind;
      const prior = kinds.get(v);
      if (!prior || KIND_RANK[k] < KIND_RANK[prior]) kinds.set(v, k);
      uf.find(v);
    }
    for (const group of people.samePerson) {
      const members = group.map(norm).filter(Boolean);
      for (const m of members) if (!kinds.has(m)) kinds.set(m, m.includes('@') ? 'email' : 'userName');
      for (const m of members.slice(1)) uf.union(members[0], m);
    }
    // The person's representative, in the order identities resolve (controls.md "identity"):
    // e-mail first, then user name, then display name; the smallest value of that kind.
    const components = new Map<string, string[]>();
    for (const v of kinds.keys()) {
      const root = uf.find(v);
      pushTo(components, root, v);
    }
    const representative = new Map<string, string>();
    for (const members of components.values()) {
      const rep = [...members].sort(
        (a, b) => KIND_RANK[kinds.get(a)!] - KIND_RANK[kinds.get(b)!] || (a < b ? -1 : a > b ? 1 : 0),
      )[0];
      for (const m of members) representative.set(m, rep);
    }
    const names = this.assign([...new Set(representative.values())]);
    for (const [v, rep] of representative) this.byValue.set(v, names.get(rep)!);
    const words = new Set(reserved.map(norm));
    const alternatives = [...this.byValue.keys()]
      .filter((v) => !words.has(v))
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.pattern = alternatives.length
      ? new RegExp(`${BEFORE}(?:${alternatives.map(escapeRegExp).join('|')})${AFTER}`, 'gi')
      : undefined;
  }

  /** Pseudonyms of representatives; the few that collide in 6 hex digits get 12, deterministically. */
  private assign(representatives: string[]): Map<string, string> {
    const short = new Map<string, string[]>();
    for (const rep of representatives) {
      const p = this.hash(rep).slice(0, HEX_LENGTH);
      pushTo(short, p, rep);
    }
    const out = new Map<string, string>();
    for (const [p, reps] of short) {
      for (const rep of reps)
        out.set(rep, `person-${reps.length > 1 ? this.hash(rep).slice(0, 2 * HEX_LENGTH) : p}`);
    }
    return out;
  }

  private hash(representative: string): string {
    return createHmac('sha256', this.key).update(`person\u0000${representative}`).digest('hex');
  }

  /** The pseudonym of one value (a known person's, else one keyed on the value itself). */
  pseudonymOf(value: string): string {
    const v = norm(value);
    return this.byValue.get(v) ?? `person-${this.hash(v).slice(0, HEX_LENGTH)}`;
  }

  /** Replaces every known person value, and any e-mail address, inside a text. */
  redactText(text: string): string {
    let out = this.pattern ? text.replace(this.pattern, (m) => this.pseudonymOf(m)) : text;
    out = out.replace(EMAIL, (m) => this.pseudonymOf(m));
    return out;
  }

  /**
   * A deep copy of `value` with every string redacted: a string under a key of `personFields` is a
   * person value and becomes its pseudonym whole; one under a key of `keep` (the report's own
   * identifiers: control ids, framework tokens, hashes, commands) stays; any other is redacted as
   * text.
   */
  redact<T>(value: T, opts: { keep?: ReadonlySet<string>; personFields?: ReadonlySet<string> } = {}): T {
    const keep = opts.keep ?? new Set<string>();
    const personFields = opts.personFields ?? new Set<string>();
    const walk = (v: unknown, key: string | undefined): unknown => {
      if (typeof v === 'string') {
        if (key !== undefined && personFields.has(key)) return v.trim() ? this.pseudonymOf(v) : v;
        return key !== undefined && keep.has(key) ? v : this.redactText(v);
      }
      if (Array.isArray(v)) return v.map((item) => walk(item, key));
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
      }
      return v;
    };
    return walk(value, undefined) as T;
  }
}
