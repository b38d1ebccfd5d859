/** A policy an entity holds → `entitlement` record (shared/spec/records.md). */
import type { EntitlementRecord, NormalizedRecord } from '@audit-hub/domain';
import type { HeldPolicy } from './vault-entitlement.resolver';
import type { EntityAlias, ParsedEntity } from './vault-identity.parser';

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

/** The entity's other user names: its alias names, each once, sorted (Vault does not keep an order). */
export function holderAliases(entity: ParsedEntity): string[] {
  const names = new Set(entity.aliases.map((alias) => alias.name).filter((name) => name !== entity.name));
  return [...names].sort();
}

/**
 * `<entity name>:<policy>`. Vault identity has no expiry for a policy grant, so `expiresAt` is never
 * set; `permissions` would be the policy's paths and capabilities, which the controls do not use.
 * A disabled entity still holds its policies (enabling it gives them back at once): it is recorded,
 * and `raw.disabled` says so.
 */
export function mapEntitlement(entity: ParsedEntity, held: HeldPolicy): NormalizedRecord<'entitlement'> {
  const data: EntitlementRecord = {
    holder: entity.name,
    holderAliases: holderAliases(entity),
    resource: held.policy,
    ...(held.via !== undefined ? { via: held.via } : {}),
    holderType: holderType(entity.aliases),
  };
  return {
    kind: 'entitlement',
    externalId: `${entity.name}:${held.policy}`,
    data,
    raw: { entityId: entity.id, disabled: entity.disabled, grants: held.grants, entity: entity.raw },
  };
}
