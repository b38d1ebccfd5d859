/**
 * What shipped between two commits of a repository (controls.md "MRs shipped with a deployment"):
 * the merged MRs whose merge, squash or (fast-forward) head commit lies in the range, read whole,
 * and the deployed commit, each commit with its signature. Used for the deployments GitLab makes
 * (the `deployments` stream) and for those it did not make (a Jenkins one, through
 * `connection.repository`).
 *
 * - The range is `/repository/compare?from=&to=` (GitLab's default `straight=false`: the commits
 *   reachable from `to` and not from `from`). A rollback or a redeploy of the same commit ships none.
 * - A first deployment to an environment (GitLab knows no earlier successful one) ships everything
 *   reachable from its commit: bounded by the collection horizon, the commits reachable from it
 *   committed since then (`/repository/commits?ref_name=<sha>&since=`), and always the deployed
 *   commit itself.
 * - When the caller knows no earlier deployment but cannot say none exists (the core, for a
 *   Jenkins deployment whose predecessor may predate the horizon), the range is the deployed
 *   commit alone: the MR that merged it.
 * - The MRs are looked for among the project's merged MRs updated since a day before the oldest
 *   commit of the range (`/merge_requests?state=merged&updated_after=`: merging an MR updates it,
 *   and its landing commit is no older than the range's oldest; the day absorbs clock skew): one
 *   paged list per range rather than a call per commit, on GitLab's most common endpoint. An MR
 *   shipped when its merge commit, squash commit or (fast-forward) head is in the range.
 * - Whatever cannot be read is a problem naming the part and the kinds it leaves incomplete; the
 *   caller then leaves the deployment undecided instead of treating it as "shipped nothing".
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type {
  RepositoryConnection,
  ShippedRange,
  ShippedRangeQuery,
  StreamProblem,
} from '@audit-hub/plugin-sdk';
import { dedupe, isFatal } from './gitlab-deployments.stream';
import { mergeRequestExternalId } from './gitlab-merge-request.mapper';
import {
  ReleaseContentReader,
  type ProblemHandler,
  type ProjectHandle,
} from './gitlab-release-content.reader';
import type { GitLabClient } from './gitlab.client';
import type { GitLabCommit, GitLabMergeRequest } from './gitlab.types';

/** Where a range starts. */
export type RangeStart =
  /** The commit of the previous successful deployment to the same environment. */
  | { kind: 'after'; sha: string }
  /** None exists: everything reachable from the deployed commit, committed since the horizon. */
  | { kind: 'first'; since: string }
  /** None is known (it may exist before the horizon): the deployed commit alone. */
  | { kind: 'unknown' };

export interface RangeRead {
  /** `merge-request` (read whole) and `commit` records, the deployed commit's included. */
  records: NormalizedRecord[];
  /** The shipped MRs' external ids, by iid. */
  mergeRequests: string[];
}

export function createRepositoryConnection(client: GitLabClient): RepositoryConnection {
  // One reader per connection (one run): an MR or commit shared by several ranges is read once.
  const content = new ReleaseContentReader(client);
  return { shipped: (query) => readShippedRange(client, content, query) };
}

async function readShippedRange(
  client: GitLabClient,
  content: ReleaseContentReader,
  query: ShippedRangeQuery,
): Promise<ShippedRange> {
  const problems: StreamProblem[] = [];
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const problem: ProblemHandler = (what, kinds) => (err) => {
    if (isFatal(err)) throw err;
    problems.push({ where: `${query.repository}: ${what}`, error: describe(err), kinds });
    return undefined;
  };
  const start: RangeStart =
    query.fromSha === null ? { kind: 'unknown' } : { kind: 'after', sha: query.fromSha };
  const range = await readRange(
    client,
    content,
    { id: query.repository, path: query.repository },
    start,
    query.toSha,
    problem,
  );
  problems.push(...content.takeProblems());
  return { ...range, problems };
}

/**
 * The MRs and commits shipped from `start` to the commit `to` of a project; parts that cannot be
 * read become problems through `problem`. `deployed` spares reading the deployed commit when the
 * caller has it already (a deployment's job embeds it).
 */
export async function readRange(
  client: GitLabClient,
  content: ReleaseContentReader,
  project: ProjectHandle,
  start: RangeStart,
  to: string,
  problem: ProblemHandler,
  deployed?: GitLabCommit,
): Promise<RangeRead> {
  const what = start.kind === 'after' ? `compare ${start.sha}...${to}` : `commits reachable from ${to}`;
  const [commit, range] = await Promise.all([
    content.commit(project, to, deployed).catch(problem(`commit ${to}`, ['commit'])),
    rangeCommits(client, project, start, to).catch(
      problem(what, ['merge-request', 'deployment-mr', 'commit']),
    ),
  ]);
  const landed = new Set(
    (range ?? []).map((c) => c.id).filter((sha): sha is string => typeof sha === 'string'),
  );

  const shipped = new Map<number, GitLabMergeRequest>();
  if (landed.size > 0) {
    const after = earliest(range ?? [], commit);
    try {
      for await (const page of client.mergedMergeRequests(project.id, after)) {
        for (const mr of page.items) {
          if (typeof mr?.iid === 'number' && landedIn(mr, landed)) shipped.set(mr.iid, mr);
        }
      }
    } catch (err) {
      problem(`merged merge requests`, ['merge-request', 'deployment-mr'])(err);
    }
  }
  const perMr = await Promise.all(
    [...shipped.values()].map((mr) => content.mergeRequest(project, mr, problem)),
  );
  return {
    records: dedupe([...(commit ? [commit] : []), ...perMr.flat()]),
    mergeRequests: [...shipped.keys()]
      .sort((a, b) => a - b)
      .map((iid) => mergeRequestExternalId(project.path, iid)),
  };
}

const DAY_MS = 24 * 3600_000;

/**
 * A day before the oldest commit of the range (the deployed commit's own date when the range is
 * that commit alone); null when no date can be read, and then every merged MR is looked at.
 */
function earliest(range: GitLabCommit[], deployed: NormalizedRecord<'commit'> | undefined): string | null {
  const dates = range
    .map((c) => Date.parse(c.committed_date ?? c.created_at ?? ''))
    .concat(range.length === 1 && deployed ? [Date.parse(deployed.data.committedAt)] : [])
    .filter((t) => !Number.isNaN(t));
  return dates.length ? new Date(Math.min(...dates) - DAY_MS).toISOString() : null;
}

/** The commits of the range, the deployed commit among them unless it shipped before. */
async function rangeCommits(
  client: GitLabClient,
  project: ProjectHandle,
  start: RangeStart,
  to: string,
): Promise<GitLabCommit[]> {
  if (start.kind === 'unknown') return [{ id: to }];
  if (start.kind === 'first') {
    const commits: GitLabCommit[] = [];
    for await (const page of client.commitsSince(project.id, to, start.since)) commits.push(...page.items);
    // The deployed commit shipped even when it is older than the horizon.
    return commits.some((c) => c.id === to) ? commits : [...commits, { id: to }];
  }
  if (start.sha === to) return [];
  const compare = await client.compare(project.id, start.sha, to);
  if (compare.compare_timeout) {
    throw new Error('GitLab timed out comparing the commits (compare_timeout): the range is incomplete');
  }
  return compare.commits;
}

/** A merged MR landed in the range: its merge commit, squash commit or (fast-forward) head is in it. */
function landedIn(mr: GitLabMergeRequest, landed: Set<string>): boolean {
  if (mr.state !== 'merged') return false;
  const landing = [mr.merge_commit_sha, mr.squash_commit_sha].filter((sha): sha is string => !!sha);
  if (landing.length > 0) return landing.some((sha) => landed.has(sha));
  return !!mr.sha && landed.has(mr.sha);
}
