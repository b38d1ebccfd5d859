import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Estate, SecretEntity, SecretGroup } from '../estate/estate.model';
import { stableHexId } from '../estate/prng.util';
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

/** Real-instance behaviours, each off by default (docs/connectors/vault.md "On real instances"). */
export interface VaultBehaviours {
  /**
   * Vault Enterprise with namespaces: `sys/health` answers `1.15.6+ent` with a `license` (no
   * `enterprise` field before 1.16, `http/sys_health.go`); the estate's identity lives in the root
   * namespace, and two namespaces below it, `platform` and `platform/ci`, hold identities of their
   * own (service entities with policies of their namespace). Requests go to a namespace by
   * `X-Vault-Namespace` or a path prefix (api-docs/index.mdx "Namespaces"); an entity or group is
   * answered only in its own namespace (`handleEntityReadCommon` returns nothing otherwise: 404);
   * `LIST sys/namespaces` lists a namespace's children with a trailing slash; an unknown
   * namespace is a 404 with a message.
   */
  vaultEnterpriseNamespaces?: boolean;
  /**
   * The token's policy grants nothing on `identity/group/id` (a least-privilege policy that
   * forgot the groups): its list and reads answer 403 "permission denied", and
   * `sys/capabilities-self` says `deny` there. The group-granted policies cannot be read.
   */
  vaultIdentityGroupsDenied?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const VAULT_TRANSPARENT_BEHAVIOURS: readonly (keyof VaultBehaviours)[] = ['vaultEnterpriseNamespaces'];
/** Switches where data truly cannot be read: the connector must say so, never read "none". */
export const VAULT_LOSSY_BEHAVIOURS: readonly (keyof VaultBehaviours)[] = ['vaultIdentityGroupsDenied'];

export interface VaultFakeOptions {
  estate: () => Estate;
  token: string;
  now: () => Date;
  /** The entity the token belongs to (`auth/token/lookup-self`). */
  userName: string;
  behaviours?: VaultBehaviours;
}

export const VAULT_VERSION = '1.15.6';
/** The version the `vaultEnterpriseNamespaces` switch answers with (an Enterprise build). */
export const VAULT_ENTERPRISE_VERSION = '1.15.6+ent';

/** The namespaces below root with the `vaultEnterpriseNamespaces` switch, and what each one holds. */
export const VAULT_CHILD_NAMESPACES = ['platform', 'platform/ci'] as const;

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

interface Identity {
  entities: SecretEntity[];
  groups: SecretGroup[];
  policies: { name: string; description: string }[];
}

/** A child namespace's own identities: service entities, a group, policies of the namespace. */
function childIdentity(estate: Estate, namespace: string): Identity {
  const id = (what: string) => {
    const hex = stableHexId(estate.seed, 'vault-namespace', namespace, what);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };
  const slug = namespace.replace(/\//g, '-');
  const deployer: SecretEntity = {
    id: id('deployer'),
    name: `svc-${slug}-deployer`,
    aliases: [{ name: `${slug}-deployer`, mountType: 'approle' }],
    policies: [`${slug}-deploy`],
    createdAt: estate.generatedAt,
    disabled: false,
  };
  const runner: SecretEntity = {
    id: id('runner'),
    name: `svc-${slug}-runner`,
    aliases: [{ name: `system:serviceaccount:${slug}:runner`, mountType: 'kubernetes' }],
    policies: [],
    createdAt: estate.generatedAt,
    disabled: false,
  };
  const admins: SecretGroup = {
    id: id('admins'),
    name: `${slug}-automation`,
    policies: [`${slug}-kv-read`],
    memberEntityIds: [deployer.id, runner.id],
    memberGroupIds: [],
    createdAt: estate.generatedAt,
  };
  return {
    entities: [deployer, runner],
    groups: [admins],
    policies: [
      { name: `${slug}-deploy`, description: `deploys of ${namespace}` },
      { name: `${slug}-kv-read`, description: `secrets of ${namespace}` },
    ],
  };
}

function parentOf(namespace: string): string {
  const at = namespace.lastIndexOf('/');
  return at < 0 ? '' : namespace.slice(0, at);
}

function leaf(namespace: string): string {
  return namespace.slice(namespace.lastIndexOf('/') + 1);
}

function childrenOf(namespaces: readonly string[], namespace: string): string[] {
  return namespaces.filter((child) => child !== '' && child !== namespace && parentOf(child) === namespace);
}

/** The child namespace a path starts with (`platform/identity/…` in root), if any. */
function prefixChild(namespaces: readonly string[], namespace: string, path: string): string | undefined {
  return childrenOf(namespaces, namespace).find((child) => path.startsWith(`${leaf(child)}/`));
}

/** The identity paths the token's policy covers (`list` on the lists, `read` below them). */
function capabilitiesOf(path: string, groupsDenied: boolean): string[] {
  const clean = path.replace(/^\/+|\/+$/g, '');
  for (const base of ['identity/entity/id', 'identity/group/id']) {
    if (groupsDenied && base === 'identity/group/id' && (clean === base || clean.startsWith(`${base}/`)))
      return ['deny'];
    if (clean === base) return ['list'];
    if (clean.startsWith(`${base}/`)) return ['read'];
  }
  if (clean === 'sys/policies/acl') return ['list'];
  if (clean === 'sys/namespaces') return ['list'];
  if (clean === 'auth/token/lookup-self') return ['read'];
  return ['deny'];
}

export function createVaultFake(options: VaultFakeOptions): FakeHandler {
  const behaviours = options.behaviours ?? {};
  const enterprise = behaviours.vaultEnterpriseNamespaces === true;
  const groupsDenied = behaviours.vaultIdentityGroupsDenied === true;
  const namespaces: readonly string[] = enterprise ? ['', ...VAULT_CHILD_NAMESPACES] : [''];
  return (request) => {
    if (!request.path.startsWith('/v1/')) return vaultErrors(404);
    let path = request.path.slice('/v1/'.length).replace(/\/+$/, '');
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
        version: enterprise ? VAULT_ENTERPRISE_VERSION : VAULT_VERSION,
        // The `enterprise` field came with 1.16; a 1.15 Enterprise build says so in its version.
        ...(enterprise ? {} : { enterprise: false }),
        cluster_name: 'vault-cluster-acme',
        cluster_id: '3c6b0b2e-8ad6-2a4b-7d9e-51fb2a0c6f11',
        ...(enterprise
          ? {
              last_wal: 4810,
              license: { state: 'autoloaded', expiry_time: '2026-12-31T00:00:00Z', terminated: false },
            }
          : {}),
      });
    }
    const token = tokenOf(request);
    if (token === undefined || !same(token, options.token)) return vaultErrors(403, 'permission denied');
    const listing =
      request.method === 'LIST' ||
      (request.method === 'GET' && (request.query.get('list') ?? '').toLowerCase() === 'true');
    if (!listing && !['GET', 'HEAD', 'POST', 'PUT'].includes(request.method))
      return vaultErrors(405, `unsupported operation`);

    // The namespace: the header, then any leading path segments that name a namespace below it.
    let namespace = '';
    if (enterprise) {
      namespace = (header(request, 'x-vault-namespace') ?? '').replace(/^\/+|\/+$/g, '');
      for (let child = prefixChild(namespaces, namespace, path); child;) {
        path = path.slice(leaf(child).length + 1);
        namespace = child;
        child = prefixChild(namespaces, namespace, path);
      }
      if (!namespaces.includes(namespace))
        return vaultErrors(404, `no handler for route "${namespace}/${path}". route entry not found.`);
    }

    if (path === 'sys/capabilities-self' && (request.method === 'POST' || request.method === 'PUT')) {
      let asked: unknown;
      try {
        asked = JSON.parse(request.body ?? '{}').paths;
      } catch {
        return vaultErrors(400, 'failed to parse JSON input');
      }
      if (!Array.isArray(asked) || asked.length === 0)
        return vaultErrors(400, "missing required 'paths' parameter");
      const answer = Object.fromEntries(
        asked.map((p) => [String(p), capabilitiesOf(String(p), groupsDenied)]),
      );
      return json(200, {
        ...answer,
        ...(asked.length === 1 ? { capabilities: answer[String(asked[0])] } : {}),
      });
    }
    if (request.method === 'POST' || request.method === 'PUT')
      return vaultErrors(405, 'unsupported operation');
    if (path === 'sys/namespaces' && listing) {
      if (!enterprise) return vaultErrors(404, '1 error occurred:\n\t* unsupported path\n\n');
      const children = childrenOf(namespaces, namespace);
      const keys = children.map((ns) => `${leaf(ns)}/`);
      return listKeys(
        keys,
        Object.fromEntries(
          keys.map((key, i) => [
            key,
            {
              custom_metadata: {},
              id: stableHexId(estate.seed, children[i]).slice(0, 5),
              path: `${children[i]}/`,
            },
          ]),
        ),
      );
    }
    if (groupsDenied && (path === 'identity/group/id' || path.startsWith('identity/group/id/')))
      return vaultErrors(403, '1 error occurred:\n\t* permission denied\n\n');

    const store: Identity = namespace
      ? childIdentity(estate, namespace)
      : { entities: estate.access.entities, groups: estate.access.groups, policies: estate.access.policies };
    const entities = store.entities.filter((e) => e.createdAt <= now);
    const groups = store.groups.filter((g) => g.createdAt <= now);
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
    if (path === 'sys/policies/acl' && listing) return listKeys(store.policies.map((p) => p.name));
    if (
      segments[0] === 'sys' &&
      segments[1] === 'policies' &&
      segments[2] === 'acl' &&
      segments.length === 4 &&
      !listing
    ) {
      const policy = store.policies.find((p) => p.name === segments[3]);
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
