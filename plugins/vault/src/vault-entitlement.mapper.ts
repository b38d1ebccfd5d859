/** A policy an entity holds → `entitlement` record (shared/spec/records.md). */
import type { EntitlementRecord, NormalizedRecord } from '@audit-hub/domain';
import type { HeldPolicy } from './vault-entitlement.resolver';
import type { EntityAlias, ParsedEntity } from './vault-identity.parser';
import { qualify } from './vault-namespace';

/**
 * Auth methods only machines log in with. An entity whose aliases all come from these is a
 * `service` holder; any other alias (LDAP, OIDC/JWT, userpass, GitHub, Okta, RADIUS, TLS
 * certificates, which people use too), or no alias at all, keeps it a `user`. Whether a holder is a
 * service account for the controls is the core's call (controls.md "service account"), not this.
 */
export const MACHINE_AUTH_TYPES: ReadonlySet<string> = new Set([
  'approle',
  'kubernetes',
  'aws',
  'gcp',
  'azure',
  'alicloud',
  'oci',
  'cf',
]);

export function holderType(aliases: readonly EntityAlias[]): EntitlementRecord['holderType'] {
  const machine =
    aliases.length > 0 &&
    aliases.every((alias) => alias.mountType !== undefined && MACHINE_AUTH_TYPES.has(alias.mountType));
  return machine ? 'service' : 'user';
}

/**
 * The holder's name: the entity's, with its namespace in front outside the base (`team-a/jane`),
 * so that two namespaces' entities of one name stay two holders.
 */
export function holderName(entity: ParsedEntity): string {
  return qualify(entity.namespace, entity.name);
}

/**
 * The entity's other user names: its alias names, and its own plain name when the holder is
 * namespace-qualified (a person resolves through it), each once, sorted (Vault keeps no order).
 * An alias of an auth mount since disabled still has its name (Vault then sends no `mount_type`).
 */
export function holderAliases(entity: ParsedEntity): string[] {
  const holder = holderName(entity);
  const names = new Set([...entity.aliases.map((alias) => alias.name), entity.name]);
  names.delete(holder);
  return [...names].sort();
}

/**
 * `<holder>:<policy>` (each namespace-qualified outside the base). Vault identity has no expiry for a policy grant, so `expiresAt` is never
 * set; `permissions` would be the policy's paths and capabilities, which the controls do not use.
 * A disabled entity still holds its policies (enabling it gives them back at once): it is recorded,
 * and `raw.disabled` says so.
 */
export function mapEntitlement(entity: ParsedEntity, held: HeldPolicy): NormalizedRecord<'entitlement'> {
  const data: EntitlementRecord = {
    holder: holderName(entity),
    holderAliases: holderAliases(entity),
    resource: held.policy,
    ...(held.via !== undefined ? { via: held.via } : {}),
    holderType: holderType(entity.aliases),
  };
  return {
    kind: 'entitlement',
    externalId: `${holderName(entity)}:${held.policy}`,
    data,
    raw: {
      entityId: entity.id,
      ...(entity.namespace ? { namespace: entity.namespace } : {}),
      disabled: entity.disabled,
      grants: held.grants,
      entity: entity.raw,
    },
  };
}
