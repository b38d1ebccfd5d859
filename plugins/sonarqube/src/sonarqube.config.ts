/** The `auth` and `options` blocks of a `sonarqube` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';

export class SonarQubeAuth {
  /** A user token (`squ_…`) of a user with Browse on the audited projects; never an admin token. */
  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

export const AUTH_SCHEMES = ['auto', 'bearer', 'basic'] as const;
export type SonarQubeAuthScheme = (typeof AUTH_SCHEMES)[number];

/** SonarQube caps `ps` at 500 on every paged web service this connector calls. */
export const SONARQUBE_MAX_PAGE_SIZE = 500;
/** SonarQube's own default `ps`. */
export const SONARQUBE_DEFAULT_PAGE_SIZE = 100;

export class SonarQubeOptions {
  /** Project keys to audit; default: every project the token can browse. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  projects?: string[];

  /** `ps` of every paged request (1–500, default 100). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SONARQUBE_MAX_PAGE_SIZE)
  pageSize?: number;

  /**
   * How the token is sent: `auto` (the default: `bearer` on SonarQube 10.0 and later, `basic` before,
   * from the version `api/server/version` answers), `bearer` (`Authorization: Bearer`, documented
   * from 10.0; 9.9 LTS ignores the header and serves the request as anonymous) or `basic` (the token
   * as the basic-auth user name with an empty password, which every version accepts).
   */
  @IsOptional()
  @IsIn(AUTH_SCHEMES)
  authScheme?: SonarQubeAuthScheme;
}

/** Options with their defaults applied. */
export interface ResolvedSonarQubeOptions {
  /** Configured project keys; empty: discover every visible project. */
  projects: string[];
  pageSize: number;
  authScheme: SonarQubeAuthScheme;
}

export function resolveOptions(options: SonarQubeOptions | undefined | null): ResolvedSonarQubeOptions {
  return {
    projects: [...new Set((options?.projects ?? []).map((key) => key.trim()))],
    pageSize: options?.pageSize ?? SONARQUBE_DEFAULT_PAGE_SIZE,
    authScheme: options?.authScheme ?? 'auto',
  };
}
