/**
 * `groups` (snapshot): every direct (group, member entity) pair: `LIST identity/group/id` in each
 * namespace read, each group, then each member entity once (for its name; Vault lists member ids
 * only), read in its own namespace: a group may hold entities of another namespace, which that
 * group's namespace does not answer for. With several namespaces, their entity lists tell which
 * namespace a member is in. Subgroup membership is not expanded here: what it passes on is in the
 * entitlements.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import type { VaultStreamDeps } from './vault-entitlements.stream';
import { mapGroupMembership } from './vault-group-membership.mapper';
import { readEntities, readGroups, type Listed } from './vault-identity.reader';
import { scanIdentity } from './vault-identity.scan';
import { qualify } from './vault-namespace';
import { resolveNamespaces } from './vault-namespaces.resolver';
import { inBatches } from './vault-stream.support';

export const GROUPS_STREAM = 'groups';
export const GROUPS_KINDS: RecordKind[] = ['group-membership'];

export function createGroupsStream(deps: VaultStreamDeps & { connectorId: string }): StreamDefinition {
  return {
    name: GROUPS_STREAM,
    kinds: GROUPS_KINDS,
    mode: 'snapshot',
    read: () => readMemberships(deps),
  };
}

async function* readMemberships({
  client,
  options,
  logger,
  connectorId,
}: VaultStreamDeps & { connectorId: string }) {
  const kinds = GROUPS_KINDS;
  const resolved = await resolveNamespaces(client, options.namespaces, kinds);
  const problems: StreamProblem[] = [...resolved.problems];
  // One namespace: every member is read there (a member of another one answers 404, a problem).
  const several = resolved.namespaces.length > 1;
  const scan = await scanIdentity(client, resolved.namespaces, kinds, { entities: several, groups: true });
  problems.push(...scan.problems);
  if (scan.groups.length === 0) {
    yield* inBatches([], problems);
    return;
  }
  const groups = await readGroups(client, scan.groups, kinds);
  const groupList = [...groups.byId.values()].sort((a, b) =>
    compare(qualify(a.namespace, a.name), qualify(b.namespace, b.name)),
  );
  const namespaceOf = new Map(scan.entities.map((item) => [item.id, item.namespace]));
  const members = new Map<string, Listed>();
  for (const group of groupList) {
    for (const id of group.memberEntityIds) {
      if (!members.has(id)) members.set(id, { id, namespace: namespaceOf.get(id) ?? group.namespace });
    }
  }
  const entities = await readEntities(client, [...members.values()], kinds);
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
    namespaces: resolved.namespaces.length,
    groups: scan.groups.length,
    members: members.size,
    memberships: records.length,
    problems: problems.length,
  });
  yield* inBatches(records, problems);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
