/**
 * The Vault HTTP API v1 shapes this plugin reads (api-docs/secret/identity/entity.mdx, group.mdx,
 * system/health.mdx, auth/token.mdx). Everything is optional: the docs samples show only `data`,
 * older servers omit newer fields (`parent_group_ids`, `direct_group_ids`), and lists come as `null`
 * as often as `[]` (`member_group_ids`). The parser (vault-identity.parser.ts) checks them.
 */

/** An alias of an entity: its user name in one auth mount (LDAP `jdoe`, OIDC `jane@acme.com`). */
export interface VaultAlias {
  id?: string;
  name?: string;
  mount_accessor?: string;
  mount_type?: string;
  mount_path?: string;
}

/** `GET /v1/identity/entity/id/:id` → `data`. */
export interface VaultEntity {
  id?: string;
  name?: string;
  disabled?: boolean;
  policies?: string[] | null;
  aliases?: VaultAlias[] | null;
  metadata?: Record<string, string> | null;
  /** Newer servers: the groups the entity is a direct or inherited member of (not relied on). */
  direct_group_ids?: string[] | null;
  group_ids?: string[] | null;
  inherited_group_ids?: string[] | null;
  creation_time?: string;
  last_update_time?: string;
}

/** `GET /v1/identity/group/id/:id` → `data`. */
export interface VaultGroup {
  id?: string;
  name?: string;
  /** `internal` (members managed in Vault) or `external` (members follow an auth method's groups). */
  type?: string;
  policies?: string[] | null;
  member_entity_ids?: string[] | null;
  /** Subgroups: their members inherit this group's policies. */
  member_group_ids?: string[] | null;
  /** The groups this group is a member of (Vault 0.10.2+; absent before). */
  parent_group_ids?: string[] | null;
  metadata?: Record<string, string> | null;
}

/** `GET /v1/sys/health` (any of its documented statuses). */
export interface VaultHealth {
  initialized?: boolean;
  sealed?: boolean;
  standby?: boolean;
  performance_standby?: boolean;
  version?: string;
  cluster_name?: string;
  /** Vault 1.16+: whether the build is Enterprise (absent before; see vault-edition.ts). */
  enterprise?: boolean;
  /** Enterprise builds only: `{state, expiry_time, terminated}`. */
  license?: unknown;
}

/**
 * `GET /v1/auth/token/lookup-self` → `data`. It also carries the token itself (`id`) and its
 * `accessor`: neither is ever read into a result.
 */
export interface VaultTokenLookup {
  display_name?: string;
  policies?: string[] | null;
  identity_policies?: string[] | null;
  entity_id?: string;
  expire_time?: string | null;
  ttl?: number;
}

/**
 * `POST /v1/sys/capabilities-self` with `{"paths": [...]}`: each path → the token's capabilities
 * there (`["deny"]` for none), and a legacy `capabilities` field when a single path was asked.
 */
export type VaultCapabilities = Record<string, unknown>;

/** A list answer (`LIST …` or `GET …?list=true`): `data.keys`, or `keys` at the top (sys/policies/acl). */
export interface VaultListBody {
  data?: { keys?: unknown; key_info?: unknown } | null;
  keys?: unknown;
  errors?: unknown;
}
