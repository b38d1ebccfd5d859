import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Estate, SecretEntity, SecretGroup } from '../estate/estate.model';
import { header, json, type FakeHandler, type FakeRequest, type FakeResponse } from './fake-http.util';

/**
 * A HashiCorp Vault (HTTP API v1, under `/v1`) over the estate's identity store and ACL policies.
 * Where connectors trip, it does what Vault does: lists answer to `LIST` and to `GET …?list=true`
 * alike and return ids only (`data.keys`); an empty list is `404 {"errors":[]}`; reads wrap `data`
 * in the response envelope; empty id lists are `null` as often as `[]`; every error is
 * `{"errors":[…]}` with plain strings; a missing or wrong token is `403 permission denied`.
 * `sys/health` needs no token. The sandbox server hands `LIST` requests over too (Node's HTTP
 * parser refuses that method, so the server reads them off the socket).
 */

export interface VaultFakeOptions {
  estate: () => Estate;
  token: string;
  now: () => Date;
  /** The entity the token belongs to (`auth/token/lookup-self`). */
  userName: string;
}

export const VAULT_VERSION = '1.15.6';

const MOUNTS = {
  ldap: { accessor: 'auth_ldap_4f1c2a9b', path: 'ldap/' },
  oidc: { accessor: 'auth_oidc_7d3e0b52', path: 'oidc/' },
  approle: { accessor: 'auth_approle_e81b6c04', path: 'approle/' },
  kubernetes: { accessor: 'auth_kubernetes_2c95f7aa', path: 'kubernetes/' },
} as const;

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function vaultErrors(status: number, ...errors: string[]): FakeResponse {
  return json(status, { errors });
}

function envelope(data: unknown): FakeResponse {
  return json(200, {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  });
}

/** RFC 3339 with nanoseconds, as Vault writes its times. */
function nanoTime(instant: string): string {
  return instant.replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function tokenOf(request: FakeRequest): string | undefined {
  const token = header(request, 'x-vault-token');
  if (token !== undefined) return token;
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  return bearer?.[1].trim();
}

function listKeys(keys: string[], keyInfo?: Record<string, unknown>): FakeResponse {
  if (keys.length === 0) return vaultErrors(404);
  return envelope({ keys, ...(keyInfo ? { key_info: keyInfo } : {}) });
}

export function createVaultFake(options: VaultFakeOptions): FakeHandler {
  return (request) => {
    if (!request.path.startsWith('/v1/')) return vaultErrors(404);
    const path = request.path.slice('/v1/'.length).replace(/\/+$/, '');
    const estate = options.estate();
    const now = options.now().toISOString();
    if (path === 'sys/health') {
      return json(200, {
        initialized: true,
        sealed: false,
        standby: false,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(Date.parse(now) / 1000),
        version: VAULT_VERSION,
        enterprise: false,
        cluster_name: 'vault-cluster-acme',
        cluster_id: '3c6b0b2e-8ad6-2a4b-7d9e-51fb2a0c6f11',
      });
    }
    const token = tokenOf(request);
    if (token === undefined || !same(token, options.token)) return vaultErrors(403, 'permission denied');
    const listing =
      request.method === 'LIST' ||
      (request.method === 'GET' && (request.query.get('list') ?? '').toLowerCase() === 'true');
    if (!listing && request.method !== 'GET' && request.method !== 'HEAD')
      return vaultErrors(405, `unsupported operation`);

    const entities = estate.access.entities.filter((e) => e.createdAt <= now);
    const groups = estate.access.groups.filter((g) => g.createdAt <= now);
    const segments = path.split('/').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    const groupsOf = (e: SecretEntity) => groups.filter((g) => g.memberEntityIds.includes(e.id));

    if (path === 'auth/token/lookup-self' && !listing) {
      const self = entities.find((e) => e.name === options.userName);
      return envelope({
        accessor: 'hmac-accessor-of-the-sandbox-token',
        creation_time: Math.floor(Date.parse(estate.generatedAt) / 1000) - 86400,
        creation_ttl: 2764800,
        display_name: `approle-${options.userName}`,
        entity_id: self?.id ?? '',
        expire_time: new Date(Date.parse(now) + 20 * 86400_000).toISOString(),
        explicit_max_ttl: 0,
        id: options.token,
        identity_policies: self?.policies ?? [],
        issue_time: new Date(Date.parse(estate.generatedAt) - 86400_000).toISOString(),
        meta: { role_name: options.userName },
        num_uses: 0,
        orphan: true,
        path: 'auth/approle/login',
        policies: ['default', ...(self?.policies ?? [])],
        renewable: true,
        ttl: 1728000,
        type: 'service',
      });
    }
    if (
      segments[0] === 'identity' &&
      segments[2] === 'id' &&
      (segments[1] === 'entity' || segments[1] === 'group')
    ) {
      const kind = segments[1];
      if (segments.length === 3 && listing) {
        if (kind === 'entity') {
          return listKeys(
            entities.map((e) => e.id),
            Object.fromEntries(entities.map((e) => [e.id, { name: e.name, aliases: [] }])),
          );
        }
        return listKeys(
          groups.map((g) => g.id),
          Object.fromEntries(
            groups.map((g) => [
              g.id,
              { name: g.name, num_member_entities: g.memberEntityIds.length, num_parent_groups: 0 },
            ]),
          ),
        );
      }
      if (segments.length === 4 && !listing) {
        if (kind === 'entity') {
          const e = entities.find((x) => x.id === segments[3]);
          return e
            ? envelope(
                entityView(
                  e,
                  groupsOf(e).map((g) => g.id),
                  groups,
                ),
              )
            : vaultErrors(404);
        }
        const g = groups.find((x) => x.id === segments[3]);
        return g ? envelope(groupView(g, groups, entities)) : vaultErrors(404);
      }
    }
    if (path === 'sys/policies/acl' && listing) return listKeys(estate.access.policies.map((p) => p.name));
    if (
      segments[0] === 'sys' &&
      segments[1] === 'policies' &&
      segments[2] === 'acl' &&
      segments.length === 4 &&
      !listing
    ) {
      const policy = estate.access.policies.find((p) => p.name === segments[3]);
      if (!policy) return vaultErrors(404);
      return envelope({
        name: policy.name,
        policy: `# ${policy.description}\npath "secret/data/${policy.name}/*" {\n  capabilities = ["read", "list"]\n}\n`,
      });
    }
    return vaultErrors(404, `1 error occurred:\n\t* unsupported path\n\n`);
  };
}

function entityView(e: SecretEntity, direct: string[], groups: SecretGroup[]) {
  const inherited = groups
    .filter((g) => g.memberGroupIds.some((child) => direct.includes(child)))
    .map((g) => g.id);
  return {
    aliases: e.aliases.map((a, i) => ({
      canonical_id: e.id,
      creation_time: nanoTime(e.createdAt),
      custom_metadata: null,
      id: `${e.id.slice(0, 24)}${String(i).padStart(12, '0')}`,
      last_update_time: nanoTime(e.createdAt),
      local: false,
      merged_from_canonical_ids: null,
      metadata: null,
      mount_accessor: MOUNTS[a.mountType].accessor,
      mount_path: `auth/${MOUNTS[a.mountType].path}`,
      mount_type: a.mountType,
      name: a.name,
    })),
    creation_time: nanoTime(e.createdAt),
    direct_group_ids: direct,
    disabled: e.disabled,
    group_ids: [...direct, ...inherited],
    id: e.id,
    inherited_group_ids: inherited,
    last_update_time: nanoTime(e.createdAt),
    merged_entity_ids: null,
    metadata: null,
    name: e.name,
    policies: e.policies.length ? e.policies : null,
  };
}

function groupView(g: SecretGroup, groups: SecretGroup[], entities: SecretEntity[]) {
  const parents = groups.filter((p) => p.memberGroupIds.includes(g.id)).map((p) => p.id);
  const members = g.memberEntityIds.filter((id) => entities.some((e) => e.id === id));
  return {
    alias: {},
    creation_time: nanoTime(g.createdAt),
    id: g.id,
    last_update_time: nanoTime(g.createdAt),
    member_entity_ids: members,
    // Vault writes empty group lists as null.
    member_group_ids: g.memberGroupIds.length ? g.memberGroupIds : null,
    metadata: null,
    modify_index: 1 + members.length,
    name: g.name,
    parent_group_ids: parents.length ? parents : null,
    policies: g.policies,
    type: 'internal',
  };
}
