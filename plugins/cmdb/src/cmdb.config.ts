/** The `auth` and `options` blocks of a `cmdb` connector (shared/spec/interfaces.md "Config file"). */
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * Basic auth or an OAuth 2.0 token, exactly one: the same `auth` block as the servicenow plugin's,
 * since both read the same instance's Table API (@audit-hub/servicenow-table `ServiceNowAuth`).
 */
export { ServiceNowAuth as CmdbAuth } from '@audit-hub/servicenow-table';

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
