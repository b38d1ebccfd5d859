/**
 * What a release carries, read from GitLab once however many deployments share it: a shipped merge
 * request whole (its approvals, its own commits, each commit's signature) and any commit with its
 * signature. Used for GitLab's own deployments and for the ranges of deployments made elsewhere
 * (Jenkins).
 *
 * "Once" is bounded: the reads are kept in least-recently-used caches of `CACHE_ENTRIES` each, so a
 * stream over 100,000 deployments holds what recent deployments share (an MR shipped to staging
 * then production, a commit in several ranges), not everything it ever read. An entry evicted and
 * asked for again is read again — a few more requests, the same records.
 */
import { LRUCache } from 'lru-cache';
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import {
  isSignatureNotFound,
  mapCommit,
  mapSignatureStatus,
  unrecognisedSignatureProblem,
} from './gitlab-commit.mapper';
import { mapMergeRequest, mergeRequestExternalId } from './gitlab-merge-request.mapper';
import type { GitLabClient, ProjectId } from './gitlab.client';
import type { GitLabCommit, GitLabMergeRequest, GitLabMergeRequestApprovals } from './gitlab.types';

/** A project as the readers address it: its id (numeric, or its path) and the path records use. */
export interface ProjectHandle {
  id: ProjectId;
  /** `path_with_namespace` as recorded (subject refs keep it after a rename). */
  path: string;
}

/**
 * Turns a failure of one part into a problem naming it (and the record kinds it leaves incomplete),
 * returning undefined in place of the part; errors that are not about one item are rethrown.
 */
export type ProblemHandler = (what: string, kinds: RecordKind[]) => (err: unknown) => undefined;

/** Reads kept per cache: what the deployments of a few pages share, far below a large estate. */
export const CACHE_ENTRIES = 5_000;

export class ReleaseContentReader {
  private readonly approvals: LRUCache<string, Promise<GitLabMergeRequestApprovals | null>>;
  private readonly mrCommits: LRUCache<string, Promise<GitLabCommit[]>>;
  private readonly commits: LRUCache<string, Promise<NormalizedRecord<'commit'>>>;
  /** What was read but not understood (a signature status GitLab added later), not yet reported. */
  private readonly notices: StreamProblem[] = [];

  constructor(
    private readonly client: GitLabClient,
    entries = CACHE_ENTRIES,
  ) {
    this.approvals = new LRUCache({ max: entries });
    this.mrCommits = new LRUCache({ max: entries });
    this.commits = new LRUCache({ max: entries });
  }

  /** The problems of what was read since the last call, each reported once (commits are read once). */
  takeProblems(): StreamProblem[] {
    return this.notices.splice(0);
  }

  /**
   * A shipped MR's `merge-request` record with its approvals and commit list, and the `commit`
   * record of each of its commits; parts that cannot be read become problems.
   */
  async mergeRequest(
    project: ProjectHandle,
    mr: GitLabMergeRequest,
    problem: ProblemHandler,
  ): Promise<NormalizedRecord[]> {
    const id = mergeRequestExternalId(project.path, mr.iid);
    const [approvals, commits] = await Promise.all([
      this.approvalsOf(project.id, id, mr.iid).catch(
        problem(`merge request !${mr.iid} approvals`, ['merge-request']),
      ),
      this.commitsOf(project.id, id, mr.iid).catch(
        problem(`merge request !${mr.iid} commits`, ['merge-request', 'commit']),
      ),
    ]);
    const readable = (commits ?? []).filter(
      (c): c is GitLabCommit & { id: string } => typeof c.id === 'string',
    );
    // Each shipped commit with its signature (RM-PIPE-002), read once per run.
    const commitRecords = await Promise.all(
      readable.map((c) => this.commit(project, c.id, c).catch(problem(`commit ${c.id}`, ['commit']))),
    );
    return [
      mapMergeRequest(
        mr,
        project.path,
        approvals ?? null,
        readable.map((c) => c.id),
      ),
      ...commitRecords.filter((r): r is NormalizedRecord<'commit'> => !!r),
    ];
  }

  /** A commit with its signature; `known` spares reading the commit itself when it came embedded. */
  commit(project: ProjectHandle, sha: string, known?: GitLabCommit): Promise<NormalizedRecord<'commit'>> {
    const key = `${project.path}@${sha}`;
    let cached = this.commits.get(key);
    if (!cached) {
      cached = this.readCommit(project, sha, known);
      this.commits.set(key, cached);
    }
    return cached;
  }

  private approvalsOf(
    projectId: ProjectId,
    mrId: string,
    iid: number,
  ): Promise<GitLabMergeRequestApprovals | null> {
    let cached = this.approvals.get(mrId);
    if (!cached) {
      cached = this.client.mergeRequestApprovals(projectId, iid);
      this.approvals.set(mrId, cached);
    }
    return cached;
  }

  private commitsOf(projectId: ProjectId, mrId: string, iid: number): Promise<GitLabCommit[]> {
    let cached = this.mrCommits.get(mrId);
    if (!cached) {
      cached = this.client.mergeRequestCommits(projectId, iid);
      this.mrCommits.set(mrId, cached);
    }
    return cached;
  }

  private async readCommit(project: ProjectHandle, sha: string, known?: GitLabCommit) {
    const [commit, signature] = await Promise.all([
      known ?? this.client.commit(project.id, sha),
      this.client.commitSignature(project.id, sha),
    ]);
    if (signature.status === 404 && !isSignatureNotFound(signature.data)) {
      const said = (signature.data as { message?: unknown } | undefined)?.message;
      throw new Error(
        `${signature.url} answered 404 (${String(said ?? 'no message')}), not "signature not found"`,
      );
    }
    const status = signature.status === 404 ? 'unsigned' : mapSignatureStatus(signature.data);
    if (signature.status !== 404) {
      const notice = unrecognisedSignatureProblem(`commit ${project.path}@${sha} signature`, signature.data);
      if (notice) this.notices.push(notice);
    }
    return mapCommit(project.path, sha, commit, status, signature.data);
  }
}
