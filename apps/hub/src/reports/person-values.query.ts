/**
 * Every person-identifying value the store and the config hold, for `report --redact`: user names
 * (deployers, requesters, assignees, approvers, MR authors and mergers, entitlement holders, group
 * members), e-mail addresses and display names, with the values known to belong to one person.
 */
import type { AppConfig } from '../config/config.schema';
import { Queryable, sqlQuery } from '../common/sql';
import type { PersonValue, PersonValueKind, PersonValues } from './pseudonymizer';

/** simple-json columns come back as text from raw SQL. */
function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

export async function collectPersonValues(db: Queryable, config: AppConfig): Promise<PersonValues> {
  const values: PersonValue[] = [];
  const samePerson: string[][] = [];
  const add = (value: unknown, kind: PersonValueKind) => {
    if (typeof value === 'string' && value.trim()) values.push({ value, kind });
  };
  const distinct = async (sql: string) => sqlQuery<{ v: unknown }>(db, sql);

  for (const r of await sqlQuery<{ user_name: string; email: string | null; name: string }>(
    db,
    'SELECT user_name, email, name FROM identity',
  )) {
    add(r.user_name, 'userName');
    add(r.email, 'email');
    add(r.name, 'name');
    samePerson.push([r.user_name, r.email ?? '', r.name].filter(Boolean));
  }
  // The derived model's resolved people (controls.md "identity"): every name of one person.
  const byPerson = new Map<string, string[]>();
  for (const r of await sqlQuery<{ person_key: string; display_name: string | null; email: string | null }>(
    db,
    'SELECT person_key, display_name, email FROM person',
  )) {
    add(r.person_key, r.person_key.includes('@') ? 'email' : 'userName');
    add(r.display_name, 'name');
    add(r.email, 'email');
    byPerson.set(r.person_key, [r.person_key, r.display_name ?? '', r.email ?? ''].filter(Boolean));
  }
  for (const r of await sqlQuery<{ name_lower: string; person_key: string }>(
    db,
    'SELECT name_lower, person_key FROM person_name',
  )) {
    add(r.name_lower, r.name_lower.includes('@') ? 'email' : 'userName');
    byPerson.set(r.person_key, [...(byPerson.get(r.person_key) ?? [r.person_key]), r.name_lower]);
  }
  samePerson.push(...byPerson.values());
  for (const r of await sqlQuery<{ author_name: string; author_email: string }>(
    db,
    'SELECT DISTINCT author_name, author_email FROM git_commit',
  )) {
    add(r.author_name, 'name');
    add(r.author_email, 'email');
    samePerson.push([r.author_name, r.author_email].filter(Boolean));
  }
  const userNameColumns = [
    'SELECT DISTINCT triggered_by AS v FROM deployment',
    'SELECT DISTINCT requested_by AS v FROM change_request',
    'SELECT DISTINCT assigned_to AS v FROM change_request',
    'SELECT DISTINCT approver AS v FROM change_approval',
    'SELECT DISTINCT author AS v FROM merge_request',
    'SELECT DISTINCT merged_by AS v FROM merge_request',
  ];
  for (const sql of userNameColumns) for (const r of await distinct(sql)) add(r.v, 'userName');
  for (const r of await distinct('SELECT DISTINCT approved_by AS v FROM merge_request')) {
    for (const u of json<string[]>(r.v) ?? []) add(u, 'userName');
  }
  for (const r of await distinct('SELECT DISTINCT approvals AS v FROM deployment')) {
    for (const a of json<{ user?: string }[]>(r.v) ?? []) add(a.user, 'userName');
  }
  for (const r of await distinct('SELECT DISTINCT causes AS v FROM deployment')) {
    for (const c of json<{ user?: string }[]>(r.v) ?? []) add(c.user, 'userName');
  }
  // Kinds without a projection table: the current versions' JSON.
  for (const r of await sqlQuery<{ kind: string; data: unknown }>(
    db,
    `SELECT kind, data FROM record
     WHERE valid_to IS NULL AND kind IN ('entitlement', 'group-membership', 'build')`,
  )) {
    const data = json<Record<string, unknown>>(r.data) ?? {};
    if (r.kind === 'entitlement') {
      const aliases = Array.isArray(data.holderAliases) ? (data.holderAliases as unknown[]) : [];
      add(data.holder, 'userName');
      for (const a of aliases) add(a, 'userName');
      samePerson.push([data.holder, ...aliases].filter((v): v is string => typeof v === 'string'));
    } else if (r.kind === 'group-membership') {
      add(data.member, 'userName');
    } else if (Array.isArray(data.causes)) {
      for (const c of data.causes as { user?: string }[]) add(c?.user, 'userName');
    }
  }

  for (const e of config.exceptions ?? []) {
    add(e.requestedBy, 'userName');
    add(e.approvedBy, 'userName');
  }
  for (const [email, names] of Object.entries(config.identities?.aliases ?? {})) {
    add(email, 'email');
    for (const n of names) add(n, 'userName');
    samePerson.push([email, ...names]);
  }
  for (const role of Object.values(config.roles ?? {})) for (const u of role.users ?? []) add(u, 'userName');
  return { values, samePerson };
}
