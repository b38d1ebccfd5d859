/** The `auth` and `options` blocks of a `gitlab-issues` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import { ArrayNotEmpty, IsArray, IsNotEmpty, IsString, Matches, IsOptional } from 'class-validator';

export class GitLabIssuesAuth {
  /** A personal, project or group access token with the `api` scope (sent as `PRIVATE-TOKEN`). */
  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

export class GitLabIssuesOptions {
  /** The project tickets are filed in, as a `group/sub/project` path or a numeric id. */
  @IsString()
  @IsNotEmpty()
  project!: string;

  /** Labels added to every ticket, besides the dedupe marker (GitLab separates labels with commas). */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @Matches(/^[^,]+$/, {
    each: true,
    message: 'each label must be free of commas (GitLab splits labels on them)',
  })
  labels?: string[];
}

export interface ResolvedGitLabIssuesOptions {
  project: string;
  labels: string[];
}

export function resolveOptions(options: GitLabIssuesOptions): ResolvedGitLabIssuesOptions {
  return { project: String(options.project).trim(), labels: options.labels ?? [] };
}
