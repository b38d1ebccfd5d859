/**
 * Which namespaces a run reads (`options.namespaces`, relative to the base). Plain entries are
 * taken as they are; entries with `*` are matched against the namespaces found under the base,
 * walked with `LIST /v1/sys/namespaces` in each (Vault Enterprise lists a namespace's direct
 * children only, api-docs/system/namespaces.mdx). A server without namespaces answers that path
 * with a 404 that carries a message (`unsupported path`): only the base exists there. A 403 leaves
 * the namespaces below unknown: a lasting problem, since the entitlements held there are not read.
 * Namespaces other than the base are asked for only of an Enterprise Vault (`sys/health`, see
 * vault-edition.ts): another Vault has none, and must not be read twice under two names.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { editionOf } from './vault-edition';
import { capabilityFix } from './vault-identity.reader';
import { isNamespaceGlob, namespaceGlob } from './vault-namespace';
import { VAULT_PATHS, type VaultClient } from './vault.client';

/** How deep the walk goes below the base (Vault Enterprise nests namespaces, a handful deep in practice). */
export const MAX_NAMESPACE_DEPTH = 16;

export interface NamespaceResolution {
  /** Relative to the base, the base (`''`) first when read, each once. */
  namespaces: string[];
  problems: StreamProblem[];
}

export async function resolveNamespaces(
  client: VaultClient,
  patterns: readonly string[],
  kinds: RecordKind[],
): Promise<NamespaceResolution> {
  let literal = patterns.filter((pattern) => !isNamespaceGlob(pattern));
  const globs = patterns.filter(isNamespaceGlob).map(namespaceGlob);
  const problems: StreamProblem[] = [];
  if (patterns.some((pattern) => pattern !== '')) {
    const edition = editionOf((await client.health()).body);
    if (!edition.enterprise) {
      const unsupported = literal.filter((namespace) => namespace !== '');
      if (unsupported.length > 0) {
        problems.push({
          where: 'options.namespaces',
          error: `${edition.version ? `Vault ${edition.version}` : 'this Vault'} is not Enterprise and has no namespaces: ${unsupported.join(', ')} not read`,
          kinds,
          code: 'vault-namespaces-unsupported',
          fix: 'remove the namespaces from options.namespaces, or point the connector at the Enterprise cluster',
          lasting: true,
        });
      }
      literal = literal.filter((namespace) => namespace === '');
      const base = literal.length > 0 || globs.some((glob) => glob.test(''));
      return { namespaces: base ? [''] : [], problems };
    }
  }
  const found = globs.length > 0 ? await walk(client, kinds, problems) : [''];
  const matched = found.filter((namespace) => globs.some((glob) => glob.test(namespace)));
  const namespaces = [...new Set([...literal, ...matched])].sort((a, b) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return { namespaces, problems };
}

/** The base and every namespace below it that could be listed, breadth first. */
async function walk(client: VaultClient, kinds: RecordKind[], problems: StreamProblem[]): Promise<string[]> {
  const found: string[] = [''];
  let level = [''];
  for (let depth = 0; depth < MAX_NAMESPACE_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const namespace of level) {
      try {
        next.push(...(await client.childNamespaces(namespace)));
      } catch (err) {
        if (!isUpstreamError(err)) throw err;
        // No namespaces on this server (Vault OSS answers an unsupported path): nothing below.
        if (err.code === 'not_found' && namespace === '') continue;
        if (!['forbidden', 'not_found', 'malformed'].includes(err.code)) throw err;
        problems.push({
          where: client.listLabel(VAULT_PATHS.namespaces, namespace),
          error: `the namespaces below ${namespace || 'the base'} are not known, and not read: ${client.describe(err)}`,
          kinds,
          code: 'vault-namespaces-unlisted',
          fix:
            err.code === 'forbidden'
              ? capabilityFix(client, 'list', VAULT_PATHS.namespaces, namespace)
              : 'list the namespaces to read in options.namespaces, without *',
          lasting: err.code !== 'malformed',
        });
      }
    }
    found.push(...next);
    level = next;
  }
  return found;
}
