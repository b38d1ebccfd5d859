/** The `auth` and `options` blocks of a `cyberark` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

/** A vault user that logs on to the PVWA REST API (`POST /PasswordVault/API/auth/<method>/Logon`). */
export class CyberArkAuth {
  /** The vault (or LDAP / RADIUS) user name of the audit user. */
  @IsString()
  @IsNotEmpty()
  username!: string;

  @Secret()
  @IsString()
  @IsNotEmpty()
  password!: string;
}

/** The log-on methods of the PVWA REST API, spelled as the URL segment CyberArk documents. */
export const AUTH_METHODS = ['Cyberark', 'LDAP', 'RADIUS'] as const;
export type CyberArkAuthMethod = (typeof AUTH_METHODS)[number];

/** PVWA caps `limit` at 1000 on its list APIs. */
export const CYBERARK_MAX_PAGE_SIZE = 1000;
export const CYBERARK_DEFAULT_PAGE_SIZE = 100;

export class CyberArkOptions {
  /** How the audit user logs on: `Cyberark` (vault user, the default), `LDAP` or `RADIUS`; any case. */
  @IsOptional()
  @IsString()
  @Matches(/^(cyberark|ldap|radius)$/i, { message: 'authMethod must be one of Cyberark, LDAP, RADIUS' })
  authMethod?: string;

  /** Safes to read, as globs over safe names (`*` any characters, `?` one; case-insensitive). Default: every visible safe. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  safes?: string[];

  /**
   * Ask for the predefined members too (`filter=includePredefinedUsers eq true`; default true): the
   * built-in users and groups every safe has (Administrator, Master, Batch, Backup Users, Auditors…).
   * They are entitlements like any other, marked `predefined` (controls.md "service account").
   */
  @IsOptional()
  @IsBoolean()
  includePredefinedUsers?: boolean;

  /** `limit` of every paged request (1–1000, default 100). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CYBERARK_MAX_PAGE_SIZE)
  pageSize?: number;

  /**
   * Read the vault users (`GET /PasswordVault/API/Users`, needs the *Audit users* authorization) to
   * record each user member's `suspended` / `enableUser` in the entitlement's raw data (default true).
   */
  @IsOptional()
  @IsBoolean()
  userStatus?: boolean;
}

/** Options with their defaults applied. */
export interface ResolvedCyberArkOptions {
  authMethod: CyberArkAuthMethod;
  safes: string[];
  includePredefinedUsers: boolean;
  pageSize: number;
  userStatus: boolean;
}

export function resolveAuthMethod(value: string | undefined | null): CyberArkAuthMethod {
  if (value === undefined || value === null) return 'Cyberark';
  const found = AUTH_METHODS.find((method) => method.toLowerCase() === value.trim().toLowerCase());
  if (!found)
    throw new Error(`cyberark: options.authMethod "${value}" is not one of ${AUTH_METHODS.join(', ')}`);
  return found;
}

export function resolveOptions(options: CyberArkOptions | undefined | null): ResolvedCyberArkOptions {
  return {
    authMethod: resolveAuthMethod(options?.authMethod),
    safes: options?.safes ?? [],
    includePredefinedUsers: options?.includePredefinedUsers ?? true,
    pageSize: options?.pageSize ?? CYBERARK_DEFAULT_PAGE_SIZE,
    userStatus: options?.userStatus ?? true,
  };
}
