/**
 * Queries and helpers the access controls (RM-ACC-001/002/003) share. An entitlement's holder is
 * resolved to a person through the derived model (identities/, rebuilt before every evaluation):
 * `person_name` holds every lower-cased name, including each Vault entity's own name, already
 * resolved through its aliases (docs/identities.md step 4: the entity is the person any of its
 * names resolves to), so one join on the holder's name finds the person.
 */
import { entitlementRef } from '@audit-hub/domain';
import type { AppConfig } from '../config/config.schema';
import type { Flag } from './control';
import { fmt } from './deployment.queries';

/** The role names controls.md gives the access controls. */
export const DEVELOPER_ROLE = 'developer';
export const BREAK_GLASS_ROLE = 'break-glass';

/** The columns every entitlement-subject control selects, `e` the entitlement and `p` its holder's person. */
export const ENTITLEMENT_COLUMNS = `e.connector, e.external_id, e.holder, e.holder_aliases, e.resource, e.via,
       e.expires_at, e.holder_type, e.is_production,
       p.person_key, p.display_name, p.email, p.known, p.active, p.service_account, p.source_connector`;

/**
 * The holder's person. LEFT joins: a holder the derived model did not resolve (a name longer than
 * any user name can be) has no person, and the control says it cannot decide rather than skip it.
 */
export const HOLDER_PERSON_JOIN = `
LEFT JOIN person_name pn ON pn.name_lower = LOWER(e.holder)
LEFT JOIN person p ON p.person_key = pn.person_key`;

/** The entitlement is unexpired at the run's clock (`:now`): no expiry, or one in the future. */
export const UNEXPIRED = `(e.expires_at IS NULL OR e.expires_at > :now)`;

/** The person `p` is in role `:breakGlass`. */
export const IN_BREAK_GLASS = `EXISTS (
    SELECT 1 FROM role_member bg WHERE bg.role = :breakGlass AND bg.person_key = p.person_key)`;

export interface EntitlementRow {
  connector: string;
  external_id: string;
  holder: string;
  holder_aliases: string | string[] | null;
  resource: string;
  via: string | null;
  expires_at: string | null;
  holder_type: string;
  is_production: boolean | number;
  person_key: string | null;
  display_name: string | null;
  email: string | null;
  known: boolean | number | null;
  active: boolean | number | null;
  service_account: boolean | number | null;
  source_connector: string | null;
}

/** The subject part of an entitlement finding. */
export function entitlementSubject(
  e: EntitlementRow,
): Pick<Flag, 'subjectType' | 'subjectRef' | 'subjectConnector'> {
  return {
    subjectType: 'entitlement',
    subjectRef: entitlementRef(e.connector, e.holder, e.resource),
    subjectConnector: e.connector,
  };
}

/** `Vault policy payments-prod-rw (through group prod-admins)` / `CyberArk safe PROD-Payments`. */
export function resourceLabel(config: AppConfig, e: EntitlementRow): string {
  const plugin = config.connectors.find((c) => c.id === e.connector)?.plugin;
  const kind =
    plugin === 'vault' ? 'Vault policy' : plugin === 'cyberark' ? 'CyberArk safe' : `${e.connector} resource`;
  const prod = truthy(e.is_production) ? 'production ' : '';
  return `${prod}${kind} ${e.resource}${e.via ? ` (through group ${e.via})` : ''}`;
}

/** `jdoe`, or `entity-7f3a (Jane Doe, jane.doe@acme.com)` when the name resolved to someone else. */
export function holderLabel(e: EntitlementRow): string {
  const groupOf = e.holder_type === 'group' ? 'group ' : '';
  if (!e.person_key || e.person_key === e.holder.trim().toLowerCase()) return `${groupOf}${e.holder}`;
  const who = [e.display_name, e.email ?? e.person_key].filter((x) => x && x !== e.holder);
  return `${groupOf}${e.holder} (${[...new Set(who)].join(', ')})`;
}

/** `with no expiry` / `expiring 2027-01-31 00:00 UTC` / `which expired 2026-10-01 00:00 UTC`. */
export function expiryPhrase(expiresAt: string | null, now: Date): string {
  if (!expiresAt) return 'with no expiry';
  return expiresAt > now.toISOString() ? `expiring ${fmt(expiresAt)}` : `which expired ${fmt(expiresAt)}`;
}

/** The facts an entitlement finding was decided on. */
export function entitlementInput(e: EntitlementRow): Record<string, unknown> {
  return {
    holder: e.holder,
    holderAliases: parseAliases(e.holder_aliases),
    holderType: e.holder_type,
    resource: e.resource,
    via: e.via,
    expiresAt: e.expires_at,
    production: truthy(e.is_production),
    person: e.person_key,
    known: e.person_key ? truthy(e.known) : null,
    active: e.person_key ? truthy(e.active) : null,
    serviceAccount: e.person_key ? truthy(e.service_account) : null,
  };
}

/** A boolean column as the drivers return it (SQLite: 0/1). */
export function truthy(value: boolean | number | null | undefined): boolean {
  return value === true || value === 1;
}

/** `holder_aliases` as stored (JSON text; PostgreSQL drivers may hand back parsed values). */
export function parseAliases(value: string | string[] | null): string[] {
  if (value === null || value === undefined) return [];
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
