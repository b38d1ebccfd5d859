/** The `auth` and `options` blocks of a `jira` connector (shared/spec/interfaces.md "Config file"). */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  ArrayNotEmpty,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Min,
} from 'class-validator';

/**
 * Jira Cloud: the account's e-mail and an API token (HTTP Basic). Jira Data Center: a personal
 * access token alone (`Authorization: Bearer`); a Cloud OAuth 2.0 access token works the same way.
 */
export class JiraAuth {
  @IsOptional()
  @IsEmail({}, { message: 'must be the e-mail address of the Jira Cloud account that owns the token' })
  email?: string;

  @Secret()
  @IsString()
  @IsNotEmpty()
  token!: string;
}

export const JIRA_FLAVORS = ['cloud', 'datacenter'] as const;
export type JiraFlavor = (typeof JIRA_FLAVORS)[number];

/** Jira labels are single words: a space splits them, so they are refused on create. */
const LABEL = /^\S+$/;

export class JiraOptions {
  /** The key of the project tickets are filed in (`SEC`). */
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'must be a Jira project key such as SEC' })
  project!: string;

  /** The issue type of new tickets (default `Task`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  issueType?: string;

  /** `cloud` (REST v3) or `datacenter` (REST v2); default: `cloud` for `*.atlassian.net`, else `datacenter`. */
  @IsOptional()
  @IsIn(JIRA_FLAVORS, { message: `must be one of ${JIRA_FLAVORS.join(', ')}` })
  flavor?: JiraFlavor;

  /** The workflow transition (or target status) that closes a ticket (default `Done`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  closeTransition?: string;

  /**
   * The resolution a closing transition sets when its screen asks for one (Jira refuses such a
   * transition without it); default `Done`, else the first resolution the screen offers.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  closeResolution?: string;

  /** The workflow transition (or target status) that reopens a ticket (default `Reopen`, then `To Do`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  reopenTransition?: string;

  /** Labels added to every ticket, besides the dedupe marker. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @Matches(LABEL, { each: true, message: 'each label must be one word (Jira labels cannot hold spaces)' })
  labels?: string[];

  /**
   * How long Jira's search may lag behind a create (ms). Jira Cloud's search index is eventually
   * consistent: a just-created issue can be missing from `/search/jql` "from a few seconds to
   * minutes" (developer.atlassian.com "Search and reconcile"); the hub waits this long after a
   * create whose answer it did not get before it trusts a miss and creates again.
   * Default 60000 on Cloud, 0 on Data Center (its index is written with the issue).
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  searchConsistencyMs?: number;
}

export const DEFAULT_ISSUE_TYPE = 'Task';
export const DEFAULT_CLOSE_TRANSITIONS = ['Done'];
export const DEFAULT_REOPEN_TRANSITIONS = ['Reopen', 'To Do'];
export const CLOUD_SEARCH_CONSISTENCY_MS = 60_000;
export const DEFAULT_CLOSE_RESOLUTION = 'Done';

/** Options with their defaults applied. */
export interface ResolvedJiraOptions {
  project: string;
  issueType: string;
  flavor: JiraFlavor;
  closeTransitions: string[];
  reopenTransitions: string[];
  closeResolution: string;
  labels: string[];
  searchConsistencyMs: number;
}

/** Cloud sites live under `*.atlassian.net`; anything else is taken to be Data Center (or Server). */
export function detectFlavor(baseUrl: string): JiraFlavor {
  try {
    const host = new URL(baseUrl).hostname.toLowerCase();
    return host === 'atlassian.net' || host.endsWith('.atlassian.net') ? 'cloud' : 'datacenter';
  } catch {
    return 'datacenter';
  }
}

export function resolveOptions(options: JiraOptions, baseUrl: string): ResolvedJiraOptions {
  const flavor = options.flavor ?? detectFlavor(baseUrl);
  return {
    project: options.project,
    issueType: options.issueType ?? DEFAULT_ISSUE_TYPE,
    flavor,
    closeTransitions: options.closeTransition ? [options.closeTransition] : DEFAULT_CLOSE_TRANSITIONS,
    reopenTransitions: options.reopenTransition ? [options.reopenTransition] : DEFAULT_REOPEN_TRANSITIONS,
    closeResolution: options.closeResolution ?? DEFAULT_CLOSE_RESOLUTION,
    labels: options.labels ?? [],
    searchConsistencyMs:
      options.searchConsistencyMs ?? (flavor === 'cloud' ? CLOUD_SEARCH_CONSISTENCY_MS : 0),
  };
}
