/**
 * The ids of a run: every namespace's entity and group lists. Vault answers an empty list with
 * `404 {"errors":[]}`, which is none (the client returns no keys); a list Vault refuses (403), a
 * 404 with a message (a namespace or path that does not exist) or a body that is not a list leaves
 * that namespace's ids unknown, which is a problem (the snapshot is then not whole and marks
 * nothing deleted), never an empty list. The 403 and the unknown namespace are lasting: reading
 * again will not help until the policy or the config changes. Every other error (a 5xx or 429
 * after the client's retries, the network, a 401) fails the stream.
 *
 * Vault answers a token it does not know (invalid, expired, revoked) with the same 403 "permission
 * denied" as a missing capability. So the first refused list asks `auth/token/lookup-self`, which the
 * default policy grants every valid token: refused too, the token itself is refused and the stream
 * fails — nothing was read, which is not a partial read of a readable Vault.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError, withDetail } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { capabilityFix, type Listed } from './vault-identity.reader';
import { joinNamespace } from './vault-namespace';
import { VAULT_PATHS, type VaultClient } from './vault.client';

export interface IdentityScan {
  entities: Listed[];
  groups: Listed[];
  /** The namespaces whose entity list was read (their members can be told from outsiders). */
  entityListed: Set<string>;
  problems: StreamProblem[];
}

export interface ScanWhat {
  entities: boolean;
  groups: boolean;
}

export async function scanIdentity(
  client: VaultClient,
  namespaces: readonly string[],
  kinds: RecordKind[],
  what: ScanWhat,
): Promise<IdentityScan> {
  const scan: IdentityScan = { entities: [], groups: [], entityListed: new Set(), problems: [] };
  const token = new TokenCheck(client);
  for (const namespace of namespaces) {
    if (what.entities) {
      const ids = await listOrProblem(client, VAULT_PATHS.entities, namespace, kinds, scan.problems, token);
      if (ids) {
        scan.entityListed.add(namespace);
        scan.entities.push(...ids.map((id) => ({ id, namespace })));
      }
    }
    if (what.groups) {
      const ids = await listOrProblem(client, VAULT_PATHS.groups, namespace, kinds, scan.problems, token);
      if (ids) scan.groups.push(...ids.map((id) => ({ id, namespace })));
    }
  }
  return scan;
}

/** The keys of a list, or undefined with a problem added when they cannot be known. */
export async function listOrProblem(
  client: VaultClient,
  path: string,
  namespace: string,
  kinds: RecordKind[],
  problems: StreamProblem[],
  token: TokenCheck = new TokenCheck(client),
): Promise<string[] | undefined> {
  try {
    return await client.list(path, namespace);
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    if (err.code === 'forbidden') await token.assertAccepted();
    const where = client.listLabel(path, namespace);
    const error = client.describe(err);
    if (err.code === 'malformed') {
      problems.push({ where, error, kinds });
    } else if (err.code === 'forbidden') {
      problems.push({
        where,
        error,
        kinds,
        code: 'vault-capability-missing',
        fix: capabilityFix(client, 'list', path, namespace),
        lasting: true,
      });
    } else if (err.code === 'not_found') {
      const absolute = joinNamespace(client.base, namespace);
      problems.push({
        where,
        error,
        kinds,
        code: 'vault-namespace-unknown',
        fix: absolute
          ? `check that namespace ${absolute} exists (options.namespace, options.namespaces) and that the token may use it`
          : 'check that the base URL is the Vault address (requests go to /v1/…)',
        lasting: true,
      });
    } else {
      throw err;
    }
    return undefined;
  }
}

/** Whether Vault accepts the token at all, asked once (`auth/token/lookup-self`), on the first 403. */
export class TokenCheck {
  private checked?: Promise<void>;

  constructor(private readonly client: VaultClient) {}

  /** Throws when the token itself is refused; resolves when it is accepted (the 403 is a capability). */
  assertAccepted(): Promise<void> {
    this.checked ??= this.client.lookupSelf().then(
      () => undefined,
      (err: unknown) => {
        if (!isUpstreamError(err) || (err.code !== 'forbidden' && err.code !== 'unauthorized')) throw err;
        // lookup-self's 403 comes with the capability to add (vault.client.ts): keep what Vault said.
        const vaultSaid = /\(Vault said: (.*)\)$/.exec(err.detail ?? '')?.[1];
        const said = vaultSaid ? ` (Vault said: ${vaultSaid})` : '';
        throw withDetail(
          err,
          'the token was refused: it is invalid, expired or revoked, or no policy of it grants "read" on ' +
            `"${VAULT_PATHS.lookupSelf}" (the default policy does)${said}`,
        );
      },
    );
    return this.checked;
  }
}
