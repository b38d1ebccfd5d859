/**
 * `connectors check` for Vault: the server answers (and in which state), the token is accepted
 * (whose it is and its policies; never the token or its accessor), and each capability the streams
 * need is granted: `list` on the identity entity and group ids and on the ACL policies, and `read`
 * on one entity and one group when there is one.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { MalformedItemError, parseEntity, parseGroup } from './vault-identity.parser';
import { VAULT_PATHS, type HealthAnswer, type VaultClient } from './vault.client';

export async function checkConnection(client: VaultClient): Promise<CheckResult[]> {
  const results: CheckResult[] = [];

  let health: HealthAnswer;
  try {
    health = await client.health();
  } catch (err) {
    results.push({ name: 'reachable', ok: false, detail: client.describe(err) });
    // Nothing further can answer.
    return results;
  }
  const state = describeHealth(health);
  results.push({ name: 'reachable', ok: true, detail: state.detail });
  if (state.blocked) {
    results.push({ name: 'ready', ok: false, detail: state.blocked });
    return results;
  }

  results.push(await credentials(client));
  results.push(...(await listAndRead(client, VAULT_PATHS.entities, 'entity', 'entities')));
  results.push(...(await listAndRead(client, VAULT_PATHS.groups, 'group', 'groups')));
  results.push(await listOnly(client, VAULT_PATHS.policies, 'ACL policies'));
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
    };
  }
}

async function listAndRead(
  client: VaultClient,
  path: string,
  what: 'entity' | 'group',
  plural: string,
): Promise<CheckResult[]> {
  let keys: string[];
  try {
    keys = await client.list(path);
  } catch (err) {
    return [{ name: `list:${path}`, ok: false, detail: client.describe(err) }];
  }
  const results: CheckResult[] = [{ name: `list:${path}`, ok: true, detail: `${keys.length} ${plural}` }];
  // The read needs an id: with none, there is nothing to read (and nothing the streams would read).
  if (keys.length === 0) return results;
  const name = `read:${path}/*`;
  try {
    const data = await client.read<Record<string, unknown>>(
      `${path}/${encodeURIComponent(keys[0])}`,
      `${path}/*`,
    );
    const item = what === 'entity' ? parseEntity(data, keys[0]) : parseGroup(data, keys[0]);
    results.push({ name, ok: true, detail: `read ${what} "${item.name}"` });
  } catch (err) {
    const detail =
      err instanceof MalformedItemError
        ? `${what} ${keys[0]} is malformed: ${err.message}`
        : client.describe(err);
    results.push({ name, ok: false, detail });
  }
  return results;
}

async function listOnly(client: VaultClient, path: string, plural: string): Promise<CheckResult> {
  try {
    const keys = await client.list(path);
    return { name: `list:${path}`, ok: true, detail: `${keys.length} ${plural}` };
  } catch (err) {
    return { name: `list:${path}`, ok: false, detail: client.describe(err) };
  }
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
