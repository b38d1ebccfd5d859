/** The `auth` and `options` blocks of a `vault` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import { ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import {
  cleanNamespace,
  GROUP_POLICY_APPLICATION_MODES,
  type GroupPolicyApplicationMode,
} from './vault-namespace';

export class VaultAuth {
  /** A Vault token whose policies grant the reads in docs/connectors/vault.md (sent as `X-Vault-Token`). */
  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

export const LIST_METHODS = ['LIST', 'GET'] as const;
export type ListMethod = (typeof LIST_METHODS)[number];

export class VaultOptions {
  /** Vault Enterprise / HCP namespace (`admin`, `admin/team-a`), sent as `X-Vault-Namespace`; empty: none. */
  @IsOptional()
  @IsString()
  namespace?: string;

  /**
   * Vault Enterprise: the namespaces to read, relative to `namespace` (`''` is that namespace
   * itself): `['', 'team-a', 'team-b/ci']`, or globs over the namespaces found under it
   * (`['*']`: every one, `''` included; needs `list` on `sys/namespaces`). Default: `namespace` only.
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  namespaces?: string[];

  /**
   * How this Vault applies a group's policies to members from other namespaces
   * (`sys/config/group-policy-application`): `within_namespace_hierarchy` (Vault's default) or `any`.
   */
  @IsOptional()
  @IsIn(GROUP_POLICY_APPLICATION_MODES)
  groupPolicyApplication?: GroupPolicyApplicationMode;

  /**
   * How lists are asked for: `LIST` (the method Vault documents, default) or `GET` (sends
   * `GET …?list=true`, which Vault also accepts, for proxies and servers that refuse `LIST`).
   */
  @IsOptional()
  @IsIn(LIST_METHODS)
  listMethod?: ListMethod;
}

/** Options with their defaults applied. */
export interface ResolvedVaultOptions {
  /** Without surrounding spaces or slashes; `''` when none (the root namespace). */
  namespace: string;
  /** Relative to `namespace`, each once, cleaned; `['']` by default. */
  namespaces: string[];
  groupPolicyApplication: GroupPolicyApplicationMode;
  listMethod: ListMethod;
}

export function resolveOptions(options: VaultOptions | undefined | null): ResolvedVaultOptions {
  const namespaces = (options?.namespaces ?? ['']).map(cleanNamespace);
  return {
    namespace: cleanNamespace(options?.namespace),
    namespaces: [...new Set(namespaces)],
    groupPolicyApplication: options?.groupPolicyApplication ?? 'within_namespace_hierarchy',
    listMethod: options?.listMethod ?? 'LIST',
  };
}
