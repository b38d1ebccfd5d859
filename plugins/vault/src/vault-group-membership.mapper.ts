/** A (group, member entity) pair → `group-membership` record (shared/spec/records.md). */
import type { GroupMembershipRecord, NormalizedRecord } from '@audit-hub/domain';
import type { ParsedEntity, ParsedGroup } from './vault-identity.parser';

/**
 * `<group name>/<entity name>`: direct membership only (`member_entity_ids`); what subgroups pass
 * on is in the entitlements. The member is the entity's name, as the entitlements' holder; its
 * alias names are in `raw` for whoever resolves the person.
 */
export function mapGroupMembership(
  group: ParsedGroup,
  entity: ParsedEntity,
  source: string,
): NormalizedRecord<'group-membership'> {
  const data: GroupMembershipRecord = { group: group.name, member: entity.name, source };
  return {
    kind: 'group-membership',
    externalId: `${group.name}/${entity.name}`,
    data,
    raw: {
      group: { id: group.id, name: group.name, type: group.type },
      entity: {
        id: entity.id,
        name: entity.name,
        disabled: entity.disabled,
        aliases: entity.aliases.map((alias) => ({ ...alias })),
      },
    },
  };
}
