/** The `auth` and `options` blocks of a `vault` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';

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
  listMethod: ListMethod;
}

export function resolveOptions(options: VaultOptions | undefined | null): ResolvedVaultOptions {
  return {
    namespace: (options?.namespace ?? '').trim().replace(/^\/+|\/+$/g, ''),
    listMethod: options?.listMethod ?? 'LIST',
  };
}
