/**
 * What shipped between two commits of a repository (controls.md "MRs shipped with a deployment",
 * for a deployment GitLab did not make — a Jenkins one): the merged MRs whose merge, squash or
 * (fast-forward) head commit lies in `from..to` of the service's repository, read whole, and the
 * deployed commit, each commit with its signature.
 *
 * - The range is `/repository/compare?from=&to=` (GitLab's default `straight=false`: the commits
 *   reachable from `to` and not from `from`). A rollback or a redeploy of the same commit ships none.
 * - With no previous deployment the range is the deployed commit alone: the MR that merged it.
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
  const project: ProjectHandle = { id: query.repository, path: query.repository };
  const problems: StreamProblem[] = [];
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const problem: ProblemHandler = (what, kinds) => (err) => {
    if (isFatal(err)) throw err;
    problems.push({ where: `${query.repository}: ${what}`, error: describe(err), kinds });
    return undefined;
  };

  const [deployed, range] = await Promise.all([
    content.commit(project, query.toSha).catch(problem(`commit ${query.toSha}`, ['commit'])),
    rangeCommits(client, query).catch(
      problem(`compare ${query.fromSha}...${query.toSha}`, ['merge-request', 'deployment-mr', 'commit']),
    ),
  ]);
  const landed = new Set(
    (range ?? []).map((c) => c.id).filter((sha): sha is string => typeof sha === 'string'),
  );

  const shipped = new Map<number, GitLabMergeRequest>();
  if (landed.size > 0) {
    const after = earliest(range ?? [], deployed);
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
  const records: NormalizedRecord[] = dedupe([...(deployed ? [deployed] : []), ...perMr.flat()]);
  return {
    records,
    mergeRequests: [...shipped.keys()]
      .sort((a, b) => a - b)
      .map((iid) => mergeRequestExternalId(project.path, iid)),
    problems,
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

/** The commits of the range; the deployed commit alone when nothing earlier is known. */
async function rangeCommits(client: GitLabClient, query: ShippedRangeQuery): Promise<GitLabCommit[]> {
  if (query.fromSha === null) return [{ id: query.toSha }];
  if (query.fromSha === query.toSha) return [];
  const compare = await client.compare(query.repository, query.fromSha, query.toSha);
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
