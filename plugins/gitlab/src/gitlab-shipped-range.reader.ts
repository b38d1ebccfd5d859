/**
 * What shipped between two commits of a repository (controls.md "MRs shipped with a deployment",
 * for a deployment GitLab did not make — a Jenkins one): the merged MRs whose merge, squash or
 * (fast-forward) head commit lies in `from..to` of the service's repository, read whole, and the
 * deployed commit, each commit with its signature.
 *
 * - The range is `/repository/compare?from=&to=` (GitLab's default `straight=false`: the commits
 *   reachable from `to` and not from `from`). A rollback or a redeploy of the same commit ships none.
 * - With no previous deployment the range is the deployed commit alone: the MR that merged it.
 * - The MRs of a commit come from `/repository/commits/:sha/merge_requests`, which also lists MRs
 *   that merely contain the commit; only merged MRs whose landing commit is in the range count.
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

  const candidates = await Promise.all(
    [...landed].map((sha) =>
      client
        .commitMergeRequests(project.id, sha)
        .catch(problem(`merge requests of commit ${sha}`, ['merge-request', 'deployment-mr'])),
    ),
  );
  const shipped = new Map<number, GitLabMergeRequest>();
  for (const mr of candidates.flatMap((list) => list ?? [])) {
    if (typeof mr?.iid === 'number' && landedIn(mr, landed)) shipped.set(mr.iid, mr);
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
