/**
 * Reads identity entities and groups one request each (Vault lists return ids only), a bounded
 * chunk at a time: the HttpClient's own limit decides how many are in flight, the chunk bounds how
 * many wait. A failure to read one item is a problem naming it, never a thrown error, except what
 * every further read would meet too: a cancelled run, a refused token (401), or a policy that does
 * not grant `read` (403, which names the capability).
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
import { VAULT_PATHS, type VaultClient } from './vault.client';

/** Reads started together; the HttpClient keeps at most its `concurrency` of them in flight. */
export const READ_CHUNK = 64;

export interface ItemsRead<T> {
  /** By the id asked for (a body may carry another id: see the parser), one entry per id read. */
  byId: Map<string, T>;
  problems: StreamProblem[];
}

export function readEntities(
  client: VaultClient,
  ids: readonly string[],
  kinds: RecordKind[],
): Promise<ItemsRead<ParsedEntity>> {
  return readEach(client, ids, kinds, 'entity', VAULT_PATHS.entities, parseEntity);
}

export function readGroups(
  client: VaultClient,
  ids: readonly string[],
  kinds: RecordKind[],
): Promise<ItemsRead<ParsedGroup>> {
  return readEach(client, ids, kinds, 'group', VAULT_PATHS.groups, parseGroup);
}

async function readEach<T>(
  client: VaultClient,
  ids: readonly string[],
  kinds: RecordKind[],
  what: 'entity' | 'group',
  base: string,
  parse: (data: Record<string, unknown>, listedId: string) => T,
): Promise<ItemsRead<T>> {
  const byId = new Map<string, T>();
  const problems: StreamProblem[] = [];
  const unique = [...new Set(ids)];
  for (let at = 0; at < unique.length; at += READ_CHUNK) {
    const chunk = unique.slice(at, at + READ_CHUNK);
    const outcomes = await Promise.all(
      chunk.map(async (id) => {
        const path = `${base}/${encodeURIComponent(id)}`;
        try {
          const data = await client.read<Record<string, unknown>>(path, `${base}/*`);
          return { item: parse(data, id) };
        } catch (err) {
          if (isFatal(err)) throw err;
          const error =
            err instanceof MalformedItemError
              ? `GET /v1/${path} answered a malformed ${what}: ${err.message}`
              : client.describe(err);
          return { problem: { where: `${what} ${id}`, error: client.http.redact(error), kinds } };
        }
      }),
    );
    chunk.forEach((id, i) => {
      const outcome = outcomes[i];
      if (outcome.item) byId.set(id, outcome.item);
      if (outcome.problem) problems.push(outcome.problem);
    });
  }
  return { byId, problems };
}

/** Errors every further request would meet: the stream fails instead of listing them per item. */
export function isFatal(err: unknown): boolean {
  return isUpstreamError(err) && ['aborted', 'unauthorized', 'forbidden'].includes(err.code);
}
