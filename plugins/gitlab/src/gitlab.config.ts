/** The `auth` and `options` blocks of a `gitlab` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import { ArrayNotEmpty, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';

export class GitLabAuth {
  /** A personal, project or group access token with `read_api` (sent as `PRIVATE-TOKEN`). */
  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

/** GitLab caps `per_page` at 100. */
export const GITLAB_MAX_PER_PAGE = 100;

export class GitLabOptions {
  /** Projects to audit, as `group/sub/project` paths or numeric ids. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  projects?: string[];

  /** Groups (paths or numeric ids) whose projects, subgroups included, are audited. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  groups?: string[];

  /** Collect only deployments to these environment names (`*` matches any characters). */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  environments?: string[];

  /** Page size for list requests (1–100, default 100). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(GITLAB_MAX_PER_PAGE)
  perPage?: number;

  /** The pipeline variable that carries the deployed version when the ref is not a tag (default `VERSION`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  versionVariable?: string;
}

/** Options with their defaults applied. */
export interface ResolvedGitLabOptions {
  projects: string[];
  groups: string[];
  environments: string[];
  perPage: number;
  versionVariable: string;
}

export function resolveOptions(options: GitLabOptions | undefined | null): ResolvedGitLabOptions {
  return {
    projects: options?.projects ?? [],
    groups: options?.groups ?? [],
    environments: options?.environments ?? [],
    perPage: options?.perPage ?? GITLAB_MAX_PER_PAGE,
    versionVariable: options?.versionVariable ?? 'VERSION',
  };
}
