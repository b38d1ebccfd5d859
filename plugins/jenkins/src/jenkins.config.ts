/** The `auth` and `options` blocks of a `jenkins` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

/** HTTP basic with a Jenkins user and one of its API tokens (Jenkins exempts API-token requests from CSRF crumbs). */
export class JenkinsAuth {
  /** The Jenkins user id the API token belongs to (a dedicated, read-only user). */
  @IsString()
  @IsNotEmpty()
  username!: string;

  /** An API token of that user (People → user → Security → API Token), never its password. */
  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

/** Jenkins has no page-size limit of its own; a page of builds with their fingerprints is heavy on the controller. */
export const JENKINS_MAX_PAGE_SIZE = 500;
/** Folder levels crawled at most (a guard against a pathological tree). */
export const JENKINS_MAX_DEPTH = 20;

/** A folder full name: `team` or `team/sub`, without empty segments. */
const FOLDER_NAME = /^[^/]+(\/[^/]+)*$/;

export class JenkinsOptions {
  /** Globs over job full names (`*` matches any characters, `/` included; case-insensitive) of the jobs that deploy. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  deployJobs?: string[];

  /** Globs over job full names of the jobs whose builds produce artifacts (default: every job that is not a deploy job). */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  buildJobs?: string[];

  /** The build parameter naming the target environment (default `ENVIRONMENT`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  environmentParameter?: string;

  /** The build parameter carrying the deployed version (default `VERSION`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  versionParameter?: string;

  /** Folders (full names, `team/sub`) to crawl instead of the whole instance. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @Matches(FOLDER_NAME, { each: true, message: 'each folder must be a full name like team/sub' })
  folders?: string[];

  /** Folder levels crawled below each root (default 5; 0 reads only the root's own jobs). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JENKINS_MAX_DEPTH)
  maxDepth?: number;

  /** Builds per request (`allBuilds[…]{m,n}` range; 1–500, default 50). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(JENKINS_MAX_PAGE_SIZE)
  pageSize?: number;
}

/** Options with their defaults applied. */
export interface ResolvedJenkinsOptions {
  deployJobs: string[];
  /** Null: every job that is not a deploy job. */
  buildJobs: string[] | null;
  environmentParameter: string;
  versionParameter: string;
  /** Folder full names to crawl; empty: the whole instance. */
  folders: string[];
  maxDepth: number;
  pageSize: number;
}

export function resolveOptions(options: JenkinsOptions | undefined | null): ResolvedJenkinsOptions {
  return {
    deployJobs: options?.deployJobs ?? ['*deploy*'],
    buildJobs: options?.buildJobs ?? null,
    environmentParameter: options?.environmentParameter ?? 'ENVIRONMENT',
    versionParameter: options?.versionParameter ?? 'VERSION',
    folders: (options?.folders ?? []).map((folder) => folder.replace(/^\/+|\/+$/g, '')).filter(Boolean),
    maxDepth: options?.maxDepth ?? 5,
    pageSize: options?.pageSize ?? 50,
  };
}
