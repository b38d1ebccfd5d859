/**
 * The config file's shape (shared/spec/interfaces.md "Config file") as class-validator classes, and
 * the resolved, defaulted `AppConfig` the rest of the hub reads. The classes validate what the user
 * wrote; `resolveConfig` turns a validated instance into an `AppConfig` with every default applied.
 *
 * Free-form places, where unknown keys are allowed: a connector's `options` and `auth` (the plugin's
 * own classes validate them later), `services[].keys`, `identities.aliases`, the role names of
 * `roles`, the control ids of `controls` and their `params`.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { SEVERITIES, type Severity } from '@audit-hub/domain';
import { parseAllowEntry } from '@audit-hub/http';
import { API_ROLES, isApiRole, type ApiRole } from '../auth/principal';

// ---------------------------------------------------------------------------------------------
// Value checks, each with one complete message (the loader prefixes the path and line).

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** npm package names, scoped or not (what `require` resolves for a third-party plugin). */
const NPM_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
export const CONTROL_ID = /^RM-[A-Z]+-\d{3}$/;
const DURATION = /^(\d+)([hdw])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const CRITICALITIES = ['high', 'medium', 'low'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export const GROUPINGS = ['per-finding', 'per-control-service'] as const;
export type TicketGrouping = (typeof GROUPINGS)[number];

function check(
  name: string,
  message: string | ((value: unknown) => string),
  validate: (value: unknown) => boolean,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => validate(value),
        defaultMessage: (args) => (typeof message === 'string' ? message : message(args?.value)),
      },
    },
    options,
  );
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => isString(value) && value.trim().length > 0;
const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function IsText(): PropertyDecorator {
  return check('isText', 'must be a non-empty string', isNonEmptyString);
}

function IsTextList(): PropertyDecorator {
  return check(
    'isTextList',
    'must be a list of non-empty strings',
    (v) => Array.isArray(v) && v.every(isNonEmptyString),
  );
}

function IsInteger(min: number): PropertyDecorator {
  return check(
    'isInteger',
    `must be an integer of at least ${min}`,
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= min,
  );
}

/** A mapping, not a list or a scalar (the keys inside are not checked here). */
function IsMapping(): PropertyDecorator {
  return check('isMapping', 'must be a mapping', (v) => isPlainMap(v) || v instanceof Map);
}

/** The error `new RegExp` gives for a pattern, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function IsRegex(): PropertyDecorator {
  return check(
    'isRegex',
    (v) =>
      isString(v)
        ? `must be a valid ECMAScript regular expression (${regexError(v)})`
        : 'must be a string holding an ECMAScript regular expression',
    (v) => isString(v) && v.length > 0 && regexError(v) === undefined,
  );
}

export function isHttpUrl(value: unknown): boolean {
  if (!isString(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function isUrlWith(value: unknown, protocols: string[]): boolean {
  if (!isString(value)) return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `postgres://…` (or `postgresql://…`) or `sqlite:PATH` (`sqlite::memory:` included). */
export function isDatabaseUrl(value: unknown): boolean {
  if (!isString(value)) return false;
  if (value.startsWith('sqlite:')) return value.length > 'sqlite:'.length;
  return isUrlWith(value, ['postgres:', 'postgresql:']);
}

const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  // 0 and 7 are both Sunday, as in the `cron` package behind @nestjs/schedule.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/**
 * Why a cron expression is invalid, or undefined when it is valid: 5 fields (minute first) or 6
 * (second first); each field a list of `*`, `N`, `N-M`, with an optional `/STEP`; month and weekday
 * names accepted.
 */
export function cronError(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return `has ${parts.length} fields, expected 5 or 6`;
  const fields = parts.length === 6 ? CRON_FIELDS : CRON_FIELDS.slice(1);
  for (let i = 0; i < parts.length; i++) {
    const field = fields[i];
    const value = (token: string): number | undefined => {
      if (/^\d+$/.test(token)) return Number(token);
      const named = field.names?.indexOf(token.toLowerCase()) ?? -1;
      return named >= 0 ? named + field.min : undefined;
    };
    for (const item of parts[i].split(',')) {
      const match = /^([^/]+)(?:\/(\d+))?$/.exec(item);
      const bad = `${field.name} field "${parts[i]}" is not valid (${field.min}-${field.max})`;
      if (!match) return bad;
      if (match[2] !== undefined && Number(match[2]) < 1) return bad;
      if (match[1] === '*') continue;
      const [lowText, highText, ...rest] = match[1].split('-');
      const low = value(lowText);
      const high = highText === undefined ? low : value(highText);
      if (rest.length || low === undefined || high === undefined) return bad;
      if (low < field.min || high > field.max || low > high) return bad;
    }
  }
  return undefined;
}

function IsCron(): PropertyDecorator {
  return check(
    'isCron',
    (v) => `must be a cron expression of 5 or 6 fields${isString(v) ? `: ${cronError(v)}` : ''}`,
    (v) => isString(v) && cronError(v) === undefined,
  );
}

export function isTimeZone(value: unknown): boolean {
  if (!isNonEmptyString(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds of a duration such as `90d`, `12h` or `2w`; undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  const match = DURATION.exec(value);
  if (!match) return undefined;
  const hours = { h: 1, d: 24, w: 24 * 7 }[match[2] as 'h' | 'd' | 'w'];
  const ms = Number(match[1]) * hours * 3_600_000;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** A real calendar date written `YYYY-MM-DD` (so `2027-02-30` is refused). */
export function isCalendarDate(value: unknown): boolean {
  if (!isString(value)) return false;
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** The first entry of a mapping whose value fails `ok`, as `"key"`, or undefined. */
function badEntry(value: unknown, ok: (entry: unknown) => boolean): string | undefined {
  if (!isPlainMap(value)) return undefined;
  const bad = Object.entries(value).find(([, entry]) => !ok(entry));
  return bad ? JSON.stringify(bad[0]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The file's sections.

export class StorageSchema {
  /** `postgres://…` or `sqlite:PATH`. */
  @IsOptional()
  @check('isDatabaseUrl', 'must be postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH', isDatabaseUrl)
  database?: string;

  /** Omitted: jobs run in-process. */
  @IsOptional()
  @check('isRedisUrl', 'must be a redis:// or rediss:// URL', (v) => isUrlWith(v, ['redis:', 'rediss:']))
  redis?: string;
}

export class ScheduleSchema {
  @IsOptional()
  @IsCron()
  reconcile?: string;

  @IsOptional()
  @check('isTimeZone', 'must be an IANA time zone such as UTC or Europe/Paris', isTimeZone)
  timezone?: string;
}

export class CollectSchema {
  /** The first run's horizon: older history is not collected or audited. */
  @IsOptional()
  @check('isDuration', 'must be a duration such as 90d, 12h or 2w', (v) => isString(v) && !!parseDuration(v))
  since?: string;
}

export class EnvironmentsSchema {
  /** Name globs, used only where the upstream gives no tier. */
  @IsOptional()
  @IsTextList()
  production?: string[];
}

export class LinkingSchema {
  @IsOptional()
  @IsRegex()
  changePattern?: string;
}

/** Per-connector HTTP policy; omitted values take the HTTP client's defaults. */
export class ConnectorHttpSchema {
  @IsOptional()
  @IsInteger(1)
  timeoutMs?: number;

  @IsOptional()
  @IsInteger(1)
  concurrency?: number;

  @IsOptional()
  @IsInteger(0)
  retries?: number;

  @IsOptional()
  @IsInteger(0)
  maxRetryAfterMs?: number;
}

export class ConnectorSchema {
  /** Instance id: unique, kebab-case, appears in every subject ref. */
  @check('isKebabId', 'must be a kebab-case id (a-z, 0-9 and -, starting with a letter)', (v) =>
    isString(v) ? KEBAB.test(v) : false,
  )
  id!: string;

  /** A built-in plugin id, or an npm package name. */
  @check('isPluginName', 'must be a built-in plugin id or an npm package name', (v) =>
    isString(v) ? NPM_NAME.test(v) : false,
  )
  plugin!: string;

  @check('isHttpUrl', 'must be an http(s) URL', isHttpUrl)
  baseUrl!: string;

  /** Extension: `false` keeps the connector configured but skips it in runs and checks. */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  enabled?: boolean;

  /** Plugin-specific; validated by the plugin's own class. */
  @IsOptional()
  @IsMapping()
  auth?: Record<string, unknown>;

  /** Plugin-specific and free-form; validated by the plugin's own class. */
  @IsOptional()
  @IsMapping()
  options?: Record<string, unknown>;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => ConnectorHttpSchema)
  http?: ConnectorHttpSchema;
}

export class ServiceSchema {
  @IsText()
  name!: string;

  @IsOptional()
  @IsIn(CRITICALITIES, { message: `must be one of ${CRITICALITIES.join(', ')}` })
  criticality?: Criticality;

  @IsOptional()
  @IsText()
  team?: string;

  /** GDPR Art. 32 joins this service's framework mapping. */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  personalData?: boolean;

  /** The service's key in each system, by connector id. */
  @IsOptional()
  @check(
    'isKeyMap',
    (v) =>
      isPlainMap(v)
        ? `must map connector ids to keys: ${badEntry(v, isNonEmptyString)} is not a non-empty string`
        : 'must be a mapping of connector id to key',
    (v) => isPlainMap(v) && badEntry(v, isNonEmptyString) === undefined,
  )
  keys?: Record<string, string>;
}

export class IdentitiesSchema {
  /** Connector ids that decide whether a person is active (default: every servicenow connector). */
  @IsOptional()
  @IsTextList()
  sources?: string[];

  /** E-mail → the user names the same person has elsewhere. */
  @IsOptional()
  @check(
    'isAliasMap',
    (v) =>
      isPlainMap(v)
        ? `must map e-mail addresses to lists of user names: ${badEntry(v, isNameList)} is not a list of strings`
        : 'must be a mapping of e-mail address to a list of user names',
    (v) => isPlainMap(v) && badEntry(v, isNameList) === undefined,
  )
  aliases?: Record<string, string[]>;

  @IsOptional()
  @IsRegex()
  serviceAccountPattern?: string;
}

function isNameList(value: unknown): boolean {
  return Array.isArray(value) && value.every(isNonEmptyString);
}

export class RoleSchema {
  /** `<connector id>:<group name>`. */
  @IsOptional()
  @check(
    'isGroupList',
    'must be a list of "<connector id>:<group name>"',
    (v) => Array.isArray(v) && v.every((g) => isString(g) && /^[^:\s]+:.+$/.test(g)),
  )
  groups?: string[];

  @IsOptional()
  @IsTextList()
  users?: string[];
}

export class ProductionSchema {
  /** Globs over Vault policy names. */
  @IsOptional()
  @IsTextList()
  vaultPolicies?: string[];

  /** Globs over CyberArk safe names. */
  @IsOptional()
  @IsTextList()
  cyberarkSafes?: string[];
}

export class ControlSettingsSchema {
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  enabled?: boolean;

  /** Checked against the control's catalog entry by the controls module. */
  @IsOptional()
  @IsMapping()
  params?: Record<string, unknown>;

  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  severity?: Severity;
}

export class ExceptionSchema {
  @check('isControlId', 'must be a control id such as RM-ACC-003', (v) => isString(v) && CONTROL_ID.test(v))
  control!: string;

  /** Glob over subject refs. */
  @IsText()
  subject!: string;

  @IsText()
  reason!: string;

  @IsText()
  requestedBy!: string;

  /** Must differ from `requestedBy` (checked by the loader, with both lines). */
  @IsText()
  approvedBy!: string;

  /** Covers through 23:59:59 UTC of that day. */
  @check('isDate', 'must be a date written YYYY-MM-DD', isCalendarDate)
  expires!: string;
}

export class EvidenceSchema {
  /** PEM of an Ed25519 private key; checkpoints are unsigned without it. */
  @IsOptional()
  @IsText()
  signingKey?: string;

  @IsOptional()
  @IsInteger(1)
  retentionDays?: number;
}

/**
 * Time to fix a finding, per severity, as a duration (`7d`, `72h`, `2w`): a finding is due that
 * long after it was first seen. A severity left out has no due date.
 */
export class RemediationSlaSchema {
  @IsOptional()
  @check('isDuration', 'must be a duration such as 7d, 72h or 2w', (v) => isString(v) && !!parseDuration(v))
  critical?: string;

  @IsOptional()
  @check('isDuration', 'must be a duration such as 7d, 72h or 2w', (v) => isString(v) && !!parseDuration(v))
  high?: string;

  @IsOptional()
  @check('isDuration', 'must be a duration such as 7d, 72h or 2w', (v) => isString(v) && !!parseDuration(v))
  medium?: string;

  @IsOptional()
  @check('isDuration', 'must be a duration such as 7d, 72h or 2w', (v) => isString(v) && !!parseDuration(v))
  low?: string;
}

export class RemediationSchema {
  /** A connector id whose plugin is a tracker; omitted: no tickets. */
  @IsOptional()
  @IsText()
  tracker?: string;

  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  minSeverity?: Severity;

  @IsOptional()
  @IsIn(GROUPINGS, { message: `must be one of ${GROUPINGS.join(', ')}` })
  grouping?: TicketGrouping;

  @IsOptional()
  @IsInteger(1)
  reminderDays?: number;

  /** Due dates of findings by severity (the dashboard's findings view); omitted: none. */
  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => RemediationSlaSchema)
  sla?: RemediationSlaSchema;
}

/** OpenID Connect bearer tokens for the API: checked against the issuer's published keys. */
export class ApiOidcSchema {
  @check('isHttpUrl', "must be an http(s) URL (the issuer, as it appears in the tokens' `iss`)", isHttpUrl)
  issuer!: string;

  /** The `aud` the tokens must carry. */
  @IsText()
  audience!: string;

  /** The claim holding the audit-hub role (admin, operator or auditor); default `audit_hub_role`. */
  @IsOptional()
  @IsText()
  roleClaim?: string;

  /**
   * The claim holding the one team a token is scoped to; default `audit_hub_team`. A token must
   * name its team there unless its role is one of `companyWideRoles`.
   */
  @IsOptional()
  @IsText()
  teamClaim?: string;

  /**
   * Roles whose tokens may carry no team claim at all, and then see every team; default none.
   * A token of another role without the claim — or with an empty, null or non-string one — is
   * refused, so a team mapping that breaks at the identity provider cannot widen access.
   */
  @IsOptional()
  @check(
    'isRoleList',
    `must be a list of roles (${API_ROLES.join(', ')})`,
    (v) => Array.isArray(v) && v.every(isApiRole),
  )
  companyWideRoles?: ApiRole[];
}

export class ApiSchema {
  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => ApiOidcSchema)
  oidc?: ApiOidcSchema;

  /** The largest request body accepted, in kB (1024 bytes); default 100. Larger bodies get 413. */
  @IsOptional()
  @check(
    'isBodyLimit',
    'must be a whole number of kB from 1 to 102400',
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 102_400,
  )
  maxBodyKb?: number;

  /**
   * How many reverse proxies in front of the API to trust for the client address
   * (`X-Forwarded-For`); default 0, the TCP peer. The per-client limit on failed authentication
   * counts by that address, so behind a proxy set this, or every client shares the proxy's.
   */
  @IsOptional()
  @IsInteger(0)
  trustProxy?: number;
}

/**
 * Which addresses connectors may connect to (the HTTP client's network policy, checked after DNS
 * resolution). Metadata, link-local, unspecified, multicast and reserved addresses are always
 * refused; loopback and private networks are allowed unless `allowPrivate` is false.
 */
export class NetworkSchema {
  /** Loopback and private-network addresses allowed (default true). */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  allowPrivate?: boolean;

  /** With `allowPrivate: false`, the addresses, subnets and host names still allowed. */
  @IsOptional()
  @check('isAllowList', (v) => allowListError(v) ?? '', (v) => allowListError(v) === undefined)
  allow?: string[];
}

/** Why a `network.allow` value is not a list of addresses, subnets and host names, or undefined. */
function allowListError(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of IP addresses, subnets (10.1.0.0/16) or host names';
  for (const [i, entry] of value.entries()) {
    const parsed = isString(entry) ? parseAllowEntry(entry) : 'must be a string';
    if (typeof parsed === 'string') return `entry ${i} (${JSON.stringify(entry)}): ${parsed}`;
  }
  return undefined;
}

/** The whole file. Every section is optional. */
export class AuditHubConfigSchema {
  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => StorageSchema)
  storage?: StorageSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => ScheduleSchema)
  schedule?: ScheduleSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => CollectSchema)
  collect?: CollectSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => EnvironmentsSchema)
  environments?: EnvironmentsSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => LinkingSchema)
  linking?: LinkingSchema;

  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ValidateNested({ each: true })
  @Type(() => ConnectorSchema)
  connectors?: ConnectorSchema[];

  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ValidateNested({ each: true })
  @Type(() => ServiceSchema)
  services?: ServiceSchema[];

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => IdentitiesSchema)
  identities?: IdentitiesSchema;

  /** Role name → members. class-transformer builds a Map, which class-validator walks entry by entry. */
  @IsOptional()
  @IsMapping()
  @ValidateNested({ each: true })
  @Type(() => RoleSchema)
  roles?: Map<string, RoleSchema>;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => ProductionSchema)
  production?: ProductionSchema;

  /** Control id → settings (ids checked against `RM-<AREA>-<NNN>` by the loader). */
  @IsOptional()
  @IsMapping()
  @ValidateNested({ each: true })
  @Type(() => ControlSettingsSchema)
  controls?: Map<string, ControlSettingsSchema>;

  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ValidateNested({ each: true })
  @Type(() => ExceptionSchema)
  exceptions?: ExceptionSchema[];

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => EvidenceSchema)
  evidence?: EvidenceSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => RemediationSchema)
  remediation?: RemediationSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => ApiSchema)
  api?: ApiSchema;

  @IsOptional()
  @IsMapping()
  @ValidateNested()
  @Type(() => NetworkSchema)
  network?: NetworkSchema;
}

// ---------------------------------------------------------------------------------------------
// The resolved config.

export interface ConnectorHttpConfig {
  timeoutMs?: number;
  concurrency?: number;
  retries?: number;
  maxRetryAfterMs?: number;
}

export interface ConnectorConfig {
  id: string;
  plugin: string;
  baseUrl: string;
  enabled: boolean;
  /** Secrets resolved; validated by the plugin's class when the registry loads it. */
  auth: Record<string, unknown>;
  options: Record<string, unknown>;
  /** Omitted values: the HTTP client's defaults (30 s timeout, 4 in flight, 4 retries, 120 s Retry-After cap). */
  http: ConnectorHttpConfig;
}

export interface ServiceConfig {
  name: string;
  criticality?: Criticality;
  team?: string;
  personalData: boolean;
  keys: Record<string, string>;
}

export interface RoleConfig {
  groups: string[];
  users: string[];
}

export interface ControlSettings {
  enabled?: boolean;
  params: Record<string, unknown>;
  severity?: Severity;
}

export interface ExceptionConfig {
  control: string;
  subject: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  /** `YYYY-MM-DD`, kept as written. */
  expires: string;
}

/** The resolved config: what the file said, every default applied, secrets resolved. */
export interface AppConfig {
  storage: { database: string; redis?: string };
  schedule: { reconcile?: string; timezone: string };
  collect: { since: string; /** `since` in milliseconds. */ sinceMs: number };
  environments: { production: string[] };
  linking: { changePattern: string };
  connectors: ConnectorConfig[];
  services: ServiceConfig[];
  identities: { sources: string[]; aliases: Record<string, string[]>; serviceAccountPattern: string };
  roles: Record<string, RoleConfig>;
  production: { vaultPolicies: string[]; cyberarkSafes: string[] };
  controls: Record<string, ControlSettings>;
  exceptions: ExceptionConfig[];
  evidence: { signingKey?: string; retentionDays: number };
  remediation: {
    tracker?: string;
    minSeverity: Severity;
    grouping: TicketGrouping;
    reminderDays: number;
    /** Time to fix per severity (`7d`); set only when the file sets one. */
    sla?: Partial<Record<Severity, string>>;
  };
  /** The HTTP API; without `oidc`, only API tokens (`tokens create`) are accepted. */
  api: {
    oidc?: {
      issuer: string;
      audience: string;
      roleClaim: string;
      teamClaim: string;
      companyWideRoles: ApiRole[];
    };
    /** Set only when the file sets it (the serve app's default: 100). */
    maxBodyKb?: number;
    /** Set only when the file sets it (default 0). */
    trustProxy?: number;
  };
  /** The connectors' network policy (`@audit-hub/http` address-policy). */
  network: { allowPrivate: boolean; allow: string[] };
}

export const CONFIG_DEFAULTS = {
  database: 'sqlite:./data/audit-hub.sqlite',
  timezone: 'UTC',
  since: '90d',
  productionEnvironments: ['prod*', 'production*', 'live'],
  changePattern: '\\bCHG\\d{7}\\b',
  serviceAccountPattern: '^svc[-_]',
  retentionDays: 2557,
  minSeverity: 'high' as Severity,
  grouping: 'per-finding' as TicketGrouping,
  reminderDays: 7,
  /** The plugin whose connectors are identity sources when `identities.sources` is omitted. */
  identitySourcePlugin: 'servicenow',
  oidcRoleClaim: 'audit_hub_role',
  oidcTeamClaim: 'audit_hub_team',
} as const;

function entries<T>(map: Map<string, T> | Record<string, T> | undefined): [string, T][] {
  if (!map) return [];
  return map instanceof Map ? [...map.entries()] : Object.entries(map);
}

function copyMap<T>(value: Record<string, T> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(value ?? {}));
}

/** The `AppConfig` of a validated schema instance (an empty instance gives the built-in defaults). */
export function resolveConfig(schema: AuditHubConfigSchema): AppConfig {
  const d = CONFIG_DEFAULTS;
  const connectors: ConnectorConfig[] = (schema.connectors ?? []).map((c) => ({
    id: c.id,
    plugin: c.plugin,
    baseUrl: c.baseUrl,
    enabled: c.enabled ?? true,
    auth: copyMap(c.auth),
    options: copyMap(c.options),
    http: Object.fromEntries(
      Object.entries(c.http ?? {}).filter(([, v]) => v !== undefined && v !== null),
    ) as ConnectorHttpConfig,
  }));
  const since = schema.collect?.since ?? d.since;
  return {
    storage: {
      database: schema.storage?.database ?? d.database,
      ...(schema.storage?.redis ? { redis: schema.storage.redis } : {}),
    },
    schedule: {
      ...(schema.schedule?.reconcile ? { reconcile: schema.schedule.reconcile.trim() } : {}),
      timezone: schema.schedule?.timezone ?? d.timezone,
    },
    collect: { since, sinceMs: parseDuration(since) ?? 0 },
    environments: { production: [...(schema.environments?.production ?? d.productionEnvironments)] },
    linking: { changePattern: schema.linking?.changePattern ?? d.changePattern },
    connectors,
    services: (schema.services ?? []).map((s) => ({
      name: s.name,
      ...(s.criticality ? { criticality: s.criticality } : {}),
      ...(s.team ? { team: s.team } : {}),
      personalData: s.personalData ?? false,
      keys: copyMap(s.keys),
    })),
    identities: {
      sources:
        schema.identities?.sources ??
        connectors.filter((c) => c.plugin === d.identitySourcePlugin).map((c) => c.id),
      aliases: Object.fromEntries(entries(schema.identities?.aliases).map(([k, v]) => [k, [...v]])),
      serviceAccountPattern: schema.identities?.serviceAccountPattern ?? d.serviceAccountPattern,
    },
    roles: Object.fromEntries(
      entries(schema.roles).map(([name, role]) => [
        name,
        { groups: [...(role.groups ?? [])], users: [...(role.users ?? [])] },
      ]),
    ),
    production: {
      vaultPolicies: [...(schema.production?.vaultPolicies ?? [])],
      cyberarkSafes: [...(schema.production?.cyberarkSafes ?? [])],
    },
    controls: Object.fromEntries(
      entries(schema.controls).map(([id, c]) => [
        id,
        {
          ...(c.enabled !== undefined && c.enabled !== null ? { enabled: c.enabled } : {}),
          params: copyMap(c.params),
          ...(c.severity ? { severity: c.severity } : {}),
        },
      ]),
    ),
    exceptions: (schema.exceptions ?? []).map((e) => ({
      control: e.control,
      subject: e.subject,
      reason: e.reason,
      requestedBy: e.requestedBy,
      approvedBy: e.approvedBy,
      expires: e.expires,
    })),
    evidence: {
      ...(schema.evidence?.signingKey ? { signingKey: schema.evidence.signingKey } : {}),
      retentionDays: schema.evidence?.retentionDays ?? d.retentionDays,
    },
    remediation: {
      ...(schema.remediation?.tracker ? { tracker: schema.remediation.tracker } : {}),
      minSeverity: schema.remediation?.minSeverity ?? d.minSeverity,
      grouping: schema.remediation?.grouping ?? d.grouping,
      reminderDays: schema.remediation?.reminderDays ?? d.reminderDays,
      ...(schema.remediation?.sla
        ? {
            sla: Object.fromEntries(
              SEVERITIES.flatMap((s) => {
                const duration = schema.remediation!.sla![s];
                return duration ? [[s, duration]] : [];
              }),
            ) as Partial<Record<Severity, string>>,
          }
        : {}),
    },
    api: {
      ...(schema.api?.oidc
        ? {
            oidc: {
              issuer: schema.api.oidc.issuer,
              audience: schema.api.oidc.audience,
              roleClaim: schema.api.oidc.roleClaim ?? d.oidcRoleClaim,
              teamClaim: schema.api.oidc.teamClaim ?? d.oidcTeamClaim,
              companyWideRoles: [...new Set(schema.api.oidc.companyWideRoles ?? [])],
            },
          }
        : {}),
      ...(schema.api?.maxBodyKb !== undefined ? { maxBodyKb: schema.api.maxBodyKb } : {}),
      ...(schema.api?.trustProxy !== undefined ? { trustProxy: schema.api.trustProxy } : {}),
    },
    network: {
      allowPrivate: schema.network?.allowPrivate ?? true,
      allow: [...(schema.network?.allow ?? [])],
    },
  };
}

/** The built-in defaults: what runs with no config file (no connectors). */
export function defaultConfig(): AppConfig {
  return resolveConfig(new AuditHubConfigSchema());
}
