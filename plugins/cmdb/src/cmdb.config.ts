/** The `auth` and `options` blocks of a `cmdb` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

/**
 * Basic auth (`username` + `password`) or an OAuth 2.0 access token (`token`, sent as
 * `Authorization: Bearer`). ServiceNow accepts both on the Table API; exactly one must be given.
 */
export class CmdbAuth {
  /** The integration user's `user_name` (basic auth). */
  @ValidateIf((auth: CmdbAuth) => auth.token === undefined || auth.username !== undefined)
  @IsString()
  @IsNotEmpty()
  username?: string;

  @Secret()
  @ValidateIf((auth: CmdbAuth) => auth.token === undefined || auth.password !== undefined)
  @IsString()
  @IsNotEmpty()
  password?: string;

  /** An OAuth 2.0 access token, instead of `username` and `password`. */
  @Secret()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @OneAuthMethod()
  token?: string;
}

/** A table name (`cmdb_ci_appl`, `u_cmdb_ci_app`, `x_acme_ci`): what the Table API path takes. */
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;
/** A field, or a dot-walked field (`u_service.name`), as `sysparm_fields` takes it. */
const FIELD_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export const DEFAULT_TABLE = 'cmdb_ci_appl';
export const DEFAULT_NAME_FIELD = 'name';
/** The Table API's own default and usual ceiling for `sysparm_limit`; larger pages strain the instance. */
export const CMDB_MAX_PAGE_SIZE = 10_000;
export const CMDB_DEFAULT_PAGE_SIZE = 1_000;

export class CmdbOptions {
  /** The CI table read (default `cmdb_ci_appl`, application CIs); a child class table narrows it. */
  @IsOptional()
  @IsString()
  @Matches(TABLE_NAME, { message: 'table must be a ServiceNow table name (lower case, digits, _)' })
  table?: string;

  /**
   * The field whose value matches `services[].keys.cmdb` (default `name`); e.g. a custom
   * `u_service_key`, or a dot-walked field.
   */
  @IsOptional()
  @IsString()
  @Matches(FIELD_NAME, { message: 'nameField must be a field name, optionally dot-walked (a.b)' })
  nameField?: string;

  /** Rows per Table API request (`sysparm_limit`, 1–10 000, default 1 000). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CMDB_MAX_PAGE_SIZE)
  pageSize?: number;
}

/** Options with their defaults applied. */
export interface ResolvedCmdbOptions {
  table: string;
  nameField: string;
  pageSize: number;
}

export function resolveOptions(options: CmdbOptions | undefined | null): ResolvedCmdbOptions {
  return {
    table: options?.table ?? DEFAULT_TABLE,
    nameField: options?.nameField ?? DEFAULT_NAME_FIELD,
    pageSize: options?.pageSize ?? CMDB_DEFAULT_PAGE_SIZE,
  };
}

function OneAuthMethod(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'oneAuthMethod',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const auth = args.object as CmdbAuth;
          return auth.username === undefined && auth.password === undefined;
        },
        defaultMessage: () => 'give either username and password (basic auth) or token (OAuth), not both',
      },
    });
}
