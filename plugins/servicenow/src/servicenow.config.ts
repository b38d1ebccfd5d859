/** The `auth` and `options` blocks of a `servicenow` connector (shared/spec/interfaces.md "Config file"). */
import type { ChangeState } from '@audit-hub/domain';
import {
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

/** The `auth` block: basic auth or an OAuth token, the same for the cmdb plugin (@audit-hub/servicenow-table). */
export { ServiceNowAuth } from '@audit-hub/servicenow-table';

export const CHANGE_STATES: readonly ChangeState[] = [
  'new',
  'assess',
  'authorize',
  'scheduled',
  'implement',
  'review',
  'closed',
  'canceled',
];

/** The out-of-box `change_request.state` choice values (shared/spec/upstreams.md). */
export const DEFAULT_STATE_MAP: Readonly<Record<string, ChangeState>> = {
  '-5': 'new',
  '-4': 'assess',
  '-3': 'authorize',
  '-2': 'scheduled',
  '-1': 'implement',
  '0': 'review',
  '3': 'closed',
  '4': 'canceled',
};

/** The Table API's own default and usual ceiling for `sysparm_limit`; larger pages strain the instance. */
export const SERVICENOW_MAX_PAGE_SIZE = 10_000;
export const SERVICENOW_DEFAULT_PAGE_SIZE = 1_000;

export class ServiceNowOptions {
  /**
   * State code → normalized state, for instances that customised the change state choices; merged
   * over the out-of-box codes (`{"5": "review"}` adds a code, `{"0": "implement"}` overrides one).
   */
  @IsOptional()
  @IsObject()
  @ValidStateMap()
  stateMap?: Record<string, string>;

  /**
   * An extra encoded query ANDed to the `change_request` filter (`active=true^type!=standard`). It
   * may use `^OR`, but not `^NQ` or `ORDERBY`: the connector appends its own conditions and order.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @ComposableQuery()
  changeQuery?: string;

  /** Rows per Table API request (`sysparm_limit`, 1–10 000, default 1 000). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SERVICENOW_MAX_PAGE_SIZE)
  pageSize?: number;
}

/** Options with their defaults applied. */
export interface ResolvedServiceNowOptions {
  /** The out-of-box codes with the configured overrides merged over them. */
  stateMap: Readonly<Record<string, ChangeState>>;
  changeQuery?: string;
  pageSize: number;
}

export function resolveOptions(options: ServiceNowOptions | undefined | null): ResolvedServiceNowOptions {
  const stateMap: Record<string, ChangeState> = { ...DEFAULT_STATE_MAP };
  for (const [code, state] of Object.entries(options?.stateMap ?? {})) {
    stateMap[normalizeStateCode(code)] = state as ChangeState;
  }
  return {
    stateMap,
    changeQuery: options?.changeQuery?.trim() || undefined,
    pageSize: options?.pageSize ?? SERVICENOW_DEFAULT_PAGE_SIZE,
  };
}

/** `"3"`, `"3.0"` and `3` name the same choice (the Change Management API sends numbers as `3.0`). */
export function normalizeStateCode(code: string | number): string {
  const text = String(code).trim();
  return /^-?\d+(\.0+)?$/.test(text) ? String(Number(text)) : text;
}

function ValidStateMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'validStateMap',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => stateMapProblems(value).length === 0,
        defaultMessage: (args?: ValidationArguments) => stateMapProblems(args?.value).join('; '),
      },
    });
}

/** Problems with a `stateMap`, each naming the code. */
export function stateMapProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['must be a map of code → state'];
  const problems: string[] = [];
  for (const [code, state] of Object.entries(value)) {
    if (code.trim() === '') problems.push('a state code must not be empty');
    if (!(CHANGE_STATES as readonly unknown[]).includes(state))
      problems.push(
        `code ${JSON.stringify(code)}: ${JSON.stringify(state)} is not one of ${CHANGE_STATES.join(', ')}`,
      );
  }
  return problems;
}

function ComposableQuery(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'composableQuery',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !/\^NQ|ORDERBY|\^EQ/i.test(value),
        defaultMessage: () =>
          'must not contain ^NQ, ^EQ or ORDERBY: the connector appends its own conditions and ordering',
      },
    });
}
