/**
 * `groups` (snapshot): every direct (group, member entity) pair: `LIST identity/group/id`, each
 * group, then each member entity once (for its name; Vault lists member ids only). Subgroup
 * membership is not expanded here: what it passes on is in the entitlements.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { PluginLogger, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { mapGroupMembership } from './vault-group-membership.mapper';
import { readEntities, readGroups } from './vault-identity.reader';
import { inBatches, listOrProblem } from './vault-stream.support';
import { VAULT_PATHS, type VaultClient } from './vault.client';

export const GROUPS_STREAM = 'groups';
export const GROUPS_KINDS: RecordKind[] = ['group-membership'];

export function createGroupsStream(
  client: VaultClient,
  connectorId: string,
  logger: PluginLogger,
): StreamDefinition {
  return {
    name: GROUPS_STREAM,
    kinds: GROUPS_KINDS,
    mode: 'snapshot',
    read: () => readMemberships(client, connectorId, logger),
  };
}

async function* readMemberships(client: VaultClient, connectorId: string, logger: PluginLogger) {
  const kinds = GROUPS_KINDS;
  const problems: StreamProblem[] = [];
  const groupIds = await listOrProblem(client, VAULT_PATHS.groups, kinds, problems);
  if (groupIds === undefined) {
    yield* inBatches([], problems);
    return;
  }
  const groups = await readGroups(client, groupIds, kinds);
  const groupList = [...groups.byId.values()].sort((a, b) => compare(a.name, b.name));
  const memberIds = [...new Set(groupList.flatMap((group) => group.memberEntityIds))];
  const entities = await readEntities(client, memberIds, kinds);
  problems.push(...groups.problems, ...entities.problems);

  const records: NormalizedRecord[] = [];
  for (const group of groupList) {
    for (const entityId of group.memberEntityIds) {
      // An entity that could not be read is already a problem naming it.
      const entity = entities.byId.get(entityId);
      if (entity) records.push(mapGroupMembership(group, entity, connectorId));
    }
  }
  logger.debug('vault group memberships read', {
    groups: groupIds.length,
    members: memberIds.length,
    memberships: records.length,
    problems: problems.length,
  });
  yield* inBatches(records, problems);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
