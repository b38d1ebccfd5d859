/**
 * `entitlements` (snapshot): every (entity, policy) pair of the identity store, with the group that
 * grants it. Vault has no change feed for identity, so each run lists and reads everything:
 * `LIST identity/entity/id`, each entity, `LIST identity/group/id`, each group. Only a read with no
 * problem lets the core mark entitlements it did not see as removed.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { PluginLogger, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { mapEntitlement } from './vault-entitlement.mapper';
import { GroupGraph, policiesHeld } from './vault-entitlement.resolver';
import type { ParsedEntity } from './vault-identity.parser';
import { readEntities, readGroups } from './vault-identity.reader';
import { inBatches, listOrProblem } from './vault-stream.support';
import { VAULT_PATHS, type VaultClient } from './vault.client';

export const ENTITLEMENTS_STREAM = 'entitlements';
export const ENTITLEMENTS_KINDS: RecordKind[] = ['entitlement'];

export function createEntitlementsStream(client: VaultClient, logger: PluginLogger): StreamDefinition {
  return {
    name: ENTITLEMENTS_STREAM,
    kinds: ENTITLEMENTS_KINDS,
    mode: 'snapshot',
    read: () => readEntitlements(client, logger),
  };
}

async function* readEntitlements(client: VaultClient, logger: PluginLogger) {
  const kinds = ENTITLEMENTS_KINDS;
  const problems: StreamProblem[] = [];
  const entityIds = await listOrProblem(client, VAULT_PATHS.entities, kinds, problems);
  // No entity (Vault's empty list) holds nothing, whatever the groups say: a complete empty read.
  if (entityIds === undefined || entityIds.length === 0) {
    yield* inBatches([], problems);
    return;
  }
  // Without the groups, direct policies are still known: they are recorded, and the problem keeps
  // the core from taking the group-granted ones for removed.
  const groupIds = (await listOrProblem(client, VAULT_PATHS.groups, kinds, problems)) ?? [];
  const entities = await readEntities(client, entityIds, kinds);
  const groups = await readGroups(client, groupIds, kinds);
  problems.push(...entities.problems, ...groups.problems);

  const graph = new GroupGraph(groups.byId.values());
  const records: NormalizedRecord[] = [];
  for (const entity of distinct(entities.byId.values())) {
    for (const held of policiesHeld(entity, graph)) records.push(mapEntitlement(entity, held));
  }
  logger.debug('vault entitlements read', {
    entities: entityIds.length,
    groups: groupIds.length,
    entitlements: records.length,
    problems: problems.length,
  });
  yield* inBatches(records, problems);
}

/** Each entity once (two listed ids may answer with the same entity), by name. */
function distinct(entities: Iterable<ParsedEntity>): ParsedEntity[] {
  const byId = new Map<string, ParsedEntity>();
  for (const entity of entities) if (!byId.has(entity.id)) byId.set(entity.id, entity);
  return [...byId.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
