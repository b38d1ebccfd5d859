/**
 * Reads identity entities and groups one request each (Vault lists return ids only), each in the
 * namespace it was listed in, a bounded chunk at a time: the HttpClient's own limit decides how
 * many are in flight, the chunk bounds how many wait. A failure to read one item is a problem
 * naming it, never a thrown error. A 403 would meet every read of that namespace: it is one lasting
 * problem with the capability to grant, and the namespace's other items are not asked for. Only a
 * cancelled run or a refused token (401) ends the stream.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import {
  MalformedItemError,
  parseEntity,
  parseGroup,
  type ParsedEntity,
  type ParsedGroup,
} from './vault-identity.parser';
import { joinNamespace, qualify } from './vault-namespace';
import { VAULT_PATHS, type VaultClient } from './vault.client';

/** Reads started together; the HttpClient keeps at most its `concurrency` of them in flight. */
export const READ_CHUNK = 64;

/** An id as a list answered it, with the namespace (relative to the base) it was listed in. */
export interface Listed {
  id: string;
  namespace: string;
}

export interface ItemsRead<T> {
  /** By the id asked for (a body may carry another id: see the parser), one entry per id read. */
  byId: Map<string, T>;
  problems: StreamProblem[];
}

export function readEntities(
  client: VaultClient,
  items: readonly Listed[],
  kinds: RecordKind[],
): Promise<ItemsRead<ParsedEntity>> {
  return readEach(client, items, kinds, 'entity', VAULT_PATHS.entities, parseEntity);
}

export function readGroups(
  client: VaultClient,
  items: readonly Listed[],
  kinds: RecordKind[],
): Promise<ItemsRead<ParsedGroup>> {
  return readEach(client, items, kinds, 'group', VAULT_PATHS.groups, parseGroup);
}

/** The policy stanza that grants `capability` on `path`, for a problem's or a check's `fix`. */
export function capabilityFix(
  client: VaultClient,
  capability: string,
  path: string,
  namespace: string,
): string {
  const where = joinNamespace(client.base, namespace);
  return (
    `add to a policy of the token${where ? ` in namespace ${where}` : ''}: ` +
    `path "${path}" { capabilities = ["${capability}"] }`
  );
}

async function readEach<T>(
  client: VaultClient,
  items: readonly Listed[],
  kinds: RecordKind[],
  what: 'entity' | 'group',
  base: string,
  parse: (data: Record<string, unknown>, listedId: string, namespace: string) => T,
): Promise<ItemsRead<T>> {
  const byId = new Map<string, T>();
  const problems: StreamProblem[] = [];
  const forbidden = new Set<string>();
  const unique = [...new Map(items.map((item) => [item.id, item])).values()];
  for (let at = 0; at < unique.length; at += READ_CHUNK) {
    const chunk = unique.slice(at, at + READ_CHUNK).filter((item) => !forbidden.has(item.namespace));
    const outcomes = await Promise.all(
      chunk.map(async ({ id, namespace }) => {
        const path = `${base}/${encodeURIComponent(id)}`;
        try {
          const data = await client.read<Record<string, unknown>>(path, `${base}/*`, namespace);
          return { item: parse(data, id, namespace) };
        } catch (err) {
          if (isFatal(err)) throw err;
          if (isUpstreamError(err) && err.code === 'forbidden') return { forbidden: err };
          const error =
            err instanceof MalformedItemError
              ? `GET /v1/${qualify(namespace, path)} answered a malformed ${what}: ${err.message}`
              : notFoundHint(client.describe(err), err, namespace);
          return { problem: { where: `${what} ${id}`, error: client.http.redact(error), kinds } };
        }
      }),
    );
    chunk.forEach(({ id, namespace }, i) => {
      const outcome = outcomes[i];
      if (outcome.item) byId.set(id, outcome.item);
      if (outcome.problem) problems.push(outcome.problem);
      if (outcome.forbidden && !forbidden.has(namespace)) {
        forbidden.add(namespace);
        problems.push({
          where: `${what} reads${namespace ? ` in namespace ${namespace}` : ''} (GET /v1/${qualify(namespace, base)}/:id)`,
          error: client.describe(outcome.forbidden),
          kinds,
          code: 'vault-capability-missing',
          fix: capabilityFix(client, 'read', `${base}/*`, namespace),
          lasting: true,
        });
      }
    });
  }
  return { byId, problems };
}

/**
 * A 404 of a listed item: deleted since the list, or (for a group's member) an entity of another
 * namespace, which Vault does not answer from this one (`handleEntityReadCommon`).
 */
function notFoundHint(described: string, err: unknown, namespace: string): string {
  if (!(isUpstreamError(err) && err.code === 'not_found')) return described;
  return `${described} (not in namespace ${namespace || '(base)'}: deleted since it was listed, or it belongs to another namespace)`;
}

/** Errors every further request would meet: the stream fails instead of listing them per item. */
export function isFatal(err: unknown): boolean {
  return isUpstreamError(err) && ['aborted', 'unauthorized'].includes(err.code);
}
