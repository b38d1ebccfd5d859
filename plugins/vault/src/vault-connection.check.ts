/**
 * `connectors check` for Vault: the server answers (in which state, which version, whether it is
 * Enterprise), the token is accepted (whose it is and its policies; never the token or its
 * accessor), which namespaces are read (and, on Enterprise, which ones below are not), and in each
 * namespace read, every capability the streams need: `list` on the identity entity and group ids
 * and `read` on each entity and group. The capabilities are asked of Vault itself
 * (`sys/capabilities-self`, which the default policy allows), so a missing one is named with its
 * policy stanza before any read is refused, and even where there is nothing to read yet; then the
 * lists and one read of each are tried, as the streams make them. A Vault that does not answer
 * `sys/capabilities-self` is checked by those requests alone.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedVaultOptions } from './vault.config';
import { editionOf, type VaultEdition } from './vault-edition';
import { MalformedItemError, parseEntity, parseGroup } from './vault-identity.parser';
import { capabilityFix } from './vault-identity.reader';
import { joinNamespace, qualify } from './vault-namespace';
import { resolveNamespaces } from './vault-namespaces.resolver';
import { VAULT_PATHS, type HealthAnswer, type VaultClient } from './vault.client';

/** Both streams read entities and groups (the groups stream for its members' names). */
const IDENTITY: { kinds: RecordKind[] } = { kinds: ['entitlement', 'group-membership'] };
/** A made-up id: `sys/capabilities-self` answers for a path, whether anything is there or not. */
export const PROBE_ID = 'audit-hub-capability-probe';

export async function checkConnection(
  client: VaultClient,
  options: Pick<ResolvedVaultOptions, 'namespaces'> = { namespaces: [''] },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];

  let health: HealthAnswer;
  try {
    health = await client.health();
  } catch (err) {
    results.push({ name: 'reachable', ok: false, detail: client.describe(err), affects: IDENTITY });
    // Nothing further can answer.
    return results;
  }
  const state = describeHealth(health);
  const edition = editionOf(health.body);
  results.push({
    name: 'reachable',
    ok: true,
    detail: `${state.detail}${edition.enterprise ? ' (Enterprise)' : ''}`,
  });
  if (state.blocked) {
    results.push({ name: 'ready', ok: false, detail: state.blocked, affects: IDENTITY });
    return results;
  }

  results.push(await credentials(client));
  const read = await namespaces(client, options.namespaces, edition, results);
  for (const namespace of read) {
    const granted = await capabilities(client, namespace);
    results.push(
      ...(await listAndRead(client, namespace, VAULT_PATHS.entities, 'entity', 'entities', granted)),
    );
    results.push(...(await listAndRead(client, namespace, VAULT_PATHS.groups, 'group', 'groups', granted)));
  }
  return results;
}

/** The node's state, from the body when it says, else from the status (system/health.mdx). */
export function describeHealth({ status, body }: HealthAnswer): { detail: string; blocked?: string } {
  const who = [
    body.version ? `Vault ${body.version}` : 'Vault',
    body.cluster_name ? `(${body.cluster_name})` : '',
  ]
    .filter(Boolean)
    .join(' ');
  let state: string;
  let blocked: string | undefined;
  if (body.initialized === false || (body.initialized === undefined && status === 501)) {
    state = 'not initialized';
    blocked = 'Vault is not initialized: nothing can be read until it is';
  } else if (body.sealed === true || (body.sealed === undefined && status === 503)) {
    state = 'sealed';
    blocked = 'Vault is sealed: nothing can be read until it is unsealed';
  } else if (body.performance_standby === true || status === 473) {
    state = 'unsealed, performance standby';
  } else if (status === 472) {
    state = 'unsealed, disaster-recovery secondary';
  } else if (body.standby === true || status === 429) {
    state = 'unsealed, standby (requests are forwarded to the active node)';
  } else {
    state = 'unsealed, active';
  }
  return { detail: `${who} answered ${status}: ${state}`, ...(blocked ? { blocked } : {}) };
}

async function credentials(client: VaultClient): Promise<CheckResult> {
  try {
    const token = await client.lookupSelf();
    const name =
      typeof token.display_name === 'string' && token.display_name ? token.display_name : '(no name)';
    const policies = names(token.policies);
    const identity = names(token.identity_policies);
    const expiry =
      typeof token.expire_time === 'string' && token.expire_time
        ? `expires ${token.expire_time}`
        : 'no expiry';
    return {
      name: 'credentials',
      ok: true,
      detail:
        `token "${name}" with policies [${policies.join(', ')}]` +
        (identity.length ? `, identity policies [${identity.join(', ')}]` : '') +
        `; ${expiry}`,
    };
  } catch (err) {
    // Vault answers an unknown, expired or revoked token with 403, like a missing capability.
    const refused = isUpstreamError(err) && (err.code === 'forbidden' || err.code === 'unauthorized');
    return {
      name: 'credentials',
      ok: false,
      detail: refused
        ? `the token was refused: it is invalid, expired or revoked, or no policy of it grants "read" on ` +
          `"${VAULT_PATHS.lookupSelf}" (the default policy does) (${client.describe(err)})`
        : client.describe(err),
      affects: IDENTITY,
      ...(refused
        ? { fix: 'give auth.token a valid token whose policies include default and the audit policy' }
        : {}),
    };
  }
}

/**
 * The namespaces the streams will read, with a `namespaces` line: an error when namespaces are
 * asked of a Vault without them, or cannot be listed; a warning on Enterprise when namespaces
 * below the base exist and are not read (their entitlements are not audited).
 */
async function namespaces(
  client: VaultClient,
  patterns: readonly string[],
  edition: VaultEdition,
  results: CheckResult[],
): Promise<string[]> {
  const name = 'namespaces';
  const beyondBase = patterns.some((pattern) => pattern !== '');
  const resolved = await resolveNamespaces(client, patterns, []);
  if (!edition.enterprise) {
    if (resolved.problems.length > 0) {
      results.push({
        name,
        ok: false,
        detail: `namespaces are a Vault Enterprise feature: ${resolved.problems[0].error}`,
        affects: IDENTITY,
        fix: resolved.problems[0].fix,
      });
    }
    return resolved.namespaces;
  }
  const shown = resolved.namespaces.map((ns) => ns || '(base)').join(', ');
  if (resolved.problems.length > 0) {
    results.push({
      name,
      ok: false,
      detail: `reading ${shown}; ${resolved.problems.map((p) => p.error).join('; ')}`,
      affects: IDENTITY,
      fix: resolved.problems[0].fix,
    });
    return resolved.namespaces;
  }
  if (!beyondBase) {
    try {
      const below = await client.childNamespaces('');
      if (below.length > 0) {
        results.push({
          name,
          ok: false,
          severity: 'warn',
          detail: `${below.length} namespace(s) below ${joinNamespace(client.base, '') || 'the root'} are not read (${below.join(', ')}): the policies held there are not audited`,
          fix: 'add them to options.namespaces, or read every namespace with namespaces: ["*"]',
        });
        return resolved.namespaces;
      }
    } catch {
      // Not allowed to list them: nothing said about what is below; the base is what was asked.
    }
  }
  results.push({ name, ok: true, detail: `reading ${shown}` });
  return resolved.namespaces;
}

/** What `sys/capabilities-self` grants on each path the streams read; undefined when it does not answer. */
async function capabilities(
  client: VaultClient,
  namespace: string,
): Promise<Map<string, string[]> | undefined> {
  const paths = [VAULT_PATHS.entities, VAULT_PATHS.groups].flatMap((path) => [path, `${path}/${PROBE_ID}`]);
  try {
    return await client.capabilities(paths, namespace);
  } catch {
    return undefined;
  }
}

function grants(
  granted: Map<string, string[]> | undefined,
  path: string,
  capability: string,
): boolean | undefined {
  const caps = granted?.get(path);
  if (!caps) return undefined;
  return caps.includes(capability) || caps.includes('root');
}

async function listAndRead(
  client: VaultClient,
  namespace: string,
  path: string,
  what: 'entity' | 'group',
  plural: string,
  granted: Map<string, string[]> | undefined,
): Promise<CheckResult[]> {
  const listName = `list:${qualify(namespace, path)}`;
  const readName = `read:${qualify(namespace, path)}/*`;
  const denied = (capability: string, policyPath: string, name: string): CheckResult => ({
    name,
    ok: false,
    detail: `the token's policies do not grant "${capability}" on "${policyPath}"${namespace ? ` in namespace ${joinNamespace(client.base, namespace)}` : ''} (sys/capabilities-self: ${(granted?.get(capability === 'list' ? path : `${path}/${PROBE_ID}`) ?? []).join(', ') || 'deny'})`,
    affects: IDENTITY,
    fix: capabilityFix(client, capability, policyPath, namespace),
  });
  const canList = grants(granted, path, 'list');
  const canRead = grants(granted, `${path}/${PROBE_ID}`, 'read');
  if (canList === false) {
    return [
      denied('list', path, listName),
      ...(canRead === false ? [denied('read', `${path}/*`, readName)] : []),
    ];
  }

  let keys: string[];
  try {
    keys = await client.list(path, namespace);
  } catch (err) {
    const forbidden = isUpstreamError(err) && err.code === 'forbidden';
    return [
      {
        name: listName,
        ok: false,
        detail: client.describe(err),
        affects: IDENTITY,
        ...(forbidden ? { fix: capabilityFix(client, 'list', path, namespace) } : {}),
      },
    ];
  }
  const results: CheckResult[] = [{ name: listName, ok: true, detail: `${keys.length} ${plural}` }];
  if (canRead === false) return [...results, denied('read', `${path}/*`, readName)];
  // The read needs an id: with none, only Vault's own answer on the capability can tell.
  if (keys.length === 0) {
    if (canRead) results.push({ name: readName, ok: true, detail: 'granted (sys/capabilities-self)' });
    return results;
  }
  try {
    const data = await client.read<Record<string, unknown>>(
      `${path}/${encodeURIComponent(keys[0])}`,
      `${path}/*`,
      namespace,
    );
    const item = what === 'entity' ? parseEntity(data, keys[0]) : parseGroup(data, keys[0]);
    results.push({ name: readName, ok: true, detail: `read ${what} "${item.name}"` });
  } catch (err) {
    const forbidden = isUpstreamError(err) && err.code === 'forbidden';
    const detail =
      err instanceof MalformedItemError
        ? `${what} ${keys[0]} is malformed: ${err.message}`
        : client.describe(err);
    results.push({
      name: readName,
      ok: false,
      detail,
      affects: IDENTITY,
      ...(forbidden ? { fix: capabilityFix(client, 'read', `${path}/*`, namespace) } : {}),
    });
  }
  return results;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
