/** A (group, member entity) pair → `group-membership` record (shared/spec/records.md). */
import type { GroupMembershipRecord, NormalizedRecord } from '@audit-hub/domain';
import { holderName } from './vault-entitlement.mapper';
import type { ParsedEntity, ParsedGroup } from './vault-identity.parser';
import { qualify } from './vault-namespace';

/**
 * `<group name>/<entity name>`: direct membership only (`member_entity_ids`); what subgroups pass
 * on is in the entitlements. The member is the entity's name, as the entitlements' holder; its
 * alias names are in `raw` for whoever resolves the person. Outside the base namespace both are
 * namespace-qualified (`team-a/sre`, `team-a/jane`), a group of the base may have members from
 * other namespaces.
 */
export function mapGroupMembership(
  group: ParsedGroup,
  entity: ParsedEntity,
  source: string,
): NormalizedRecord<'group-membership'> {
  const groupName = qualify(group.namespace, group.name);
  const member = holderName(entity);
  const data: GroupMembershipRecord = { group: groupName, member, source };
  return {
    kind: 'group-membership',
    externalId: `${groupName}/${member}`,
    data,
    raw: {
      group: {
        id: group.id,
        name: group.name,
        type: group.type,
        ...(group.namespace ? { namespace: group.namespace } : {}),
      },
      entity: {
        id: entity.id,
        name: entity.name,
        ...(entity.namespace ? { namespace: entity.namespace } : {}),
        disabled: entity.disabled,
        aliases: entity.aliases.map((alias) => ({ ...alias })),
      },
    },
  };
}
