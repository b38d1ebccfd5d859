/**
 * `entitlements` (snapshot): every (entity, policy) pair of the identity store, with the group that
 * grants it. Vault has no change feed for identity, so each run lists and reads everything in each
 * namespace read: `LIST identity/entity/id`, each entity, `LIST identity/group/id`, each group.
 * Entities, groups and their ids are read together across namespaces: a group may list members of
 * another namespace (Vault Enterprise lets groups hold entities of any namespace), and ids are
 * unique across them. Only a read with no problem lets the core mark entitlements it did not see
 * as removed.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { PluginLogger, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedVaultOptions } from './vault.config';
import { mapEntitlement } from './vault-entitlement.mapper';
import { GroupGraph, policiesHeld } from './vault-entitlement.resolver';
import type { ParsedEntity, ParsedGroup } from './vault-identity.parser';
import { readEntities, readGroups } from './vault-identity.reader';
import { scanIdentity } from './vault-identity.scan';
import { qualify } from './vault-namespace';
import { resolveNamespaces } from './vault-namespaces.resolver';
import { inBatches } from './vault-stream.support';
import type { VaultClient } from './vault.client';

export const ENTITLEMENTS_STREAM = 'entitlements';
export const ENTITLEMENTS_KINDS: RecordKind[] = ['entitlement'];

export interface VaultStreamDeps {
  client: VaultClient;
  options: Pick<ResolvedVaultOptions, 'namespaces' | 'groupPolicyApplication'>;
  logger: PluginLogger;
}

export function createEntitlementsStream(deps: VaultStreamDeps): StreamDefinition {
  return {
    name: ENTITLEMENTS_STREAM,
    kinds: ENTITLEMENTS_KINDS,
    mode: 'snapshot',
    read: () => readEntitlements(deps),
  };
}

async function* readEntitlements({ client, options, logger }: VaultStreamDeps) {
  const kinds = ENTITLEMENTS_KINDS;
  const resolved = await resolveNamespaces(client, options.namespaces, kinds);
  const problems: StreamProblem[] = [...resolved.problems];
  const scan = await scanIdentity(client, resolved.namespaces, kinds, { entities: true, groups: false });
  problems.push(...scan.problems);
  // No entity (Vault's empty list) holds nothing, whatever the groups say: a complete empty read.
  if (scan.entities.length === 0) {
    yield* inBatches([], problems);
    return;
  }
  // Without a group list, direct policies are still known: they are recorded, and the problem
  // keeps the core from taking the group-granted ones for removed.
  const groupScan = await scanIdentity(client, resolved.namespaces, kinds, { entities: false, groups: true });
  problems.push(...groupScan.problems);
  const entities = await readEntities(client, scan.entities, kinds);
  const groups = await readGroups(client, groupScan.groups, kinds);
  problems.push(...entities.problems, ...groups.problems);
  if (scan.entityListed.size === resolved.namespaces.length)
    problems.push(...outsiders(scan.entities, entities.byId.values(), groups.byId.values(), kinds));

  const graph = new GroupGraph(groups.byId.values());
  const records: NormalizedRecord[] = [];
  for (const entity of distinct(entities.byId.values())) {
    for (const held of policiesHeld(entity, graph, options.groupPolicyApplication))
      records.push(mapEntitlement(entity, held));
  }
  logger.debug('vault entitlements read', {
    namespaces: resolved.namespaces.length,
    entities: scan.entities.length,
    groups: groupScan.groups.length,
    entitlements: records.length,
    problems: problems.length,
  });
  yield* inBatches(records, problems);
}

/**
 * Members of a group read that are in none of the entity lists read: an entity of a namespace not
 * read (whose policies through that group would silently go missing), or one created or deleted
 * between the lists. Each is a problem, once.
 */
function outsiders(
  listed: readonly { id: string }[],
  entities: Iterable<ParsedEntity>,
  groups: Iterable<ParsedGroup>,
  kinds: RecordKind[],
): StreamProblem[] {
  const known = new Set(listed.map((item) => item.id));
  for (const entity of entities) known.add(entity.id);
  const problems: StreamProblem[] = [];
  for (const group of groups) {
    for (const member of group.memberEntityIds) {
      if (known.has(member)) continue;
      known.add(member);
      problems.push({
        where: `group ${qualify(group.namespace, group.name)} member ${member}`,
        error:
          'the member entity is in none of the namespaces read (an entity of another namespace, or one created or deleted during the read): the policies it holds through the group are not recorded',
        kinds,
        code: 'vault-member-outside-namespaces',
        fix: "add the member's namespace to options.namespaces (or read every namespace with ['*'])",
      });
    }
  }
  return problems;
}

/** Each entity once (two listed ids may answer with the same entity), by name. */
function distinct(entities: Iterable<ParsedEntity>): ParsedEntity[] {
  const byId = new Map<string, ParsedEntity>();
  for (const entity of entities) if (!byId.has(entity.id)) byId.set(entity.id, entity);
  const key = (e: ParsedEntity) => qualify(e.namespace, e.name);
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
