/** GitLab commit and its signature → `commit` record (controls.md "signature"). */
import {
  externalIds,
  type CommitRecord,
  type NormalizedRecord,
  type SignatureStatus,
} from '@audit-hub/domain';
import { toIsoUtc } from './gitlab-deployment.mapper';
import type { GitLabCommit, GitLabCommitSignature } from './gitlab.types';

/**
 * `verification_status` of a GPG, X.509 or SSH signature. `verified` and `verified_system` pass
 * the control; every other GitLab value (`unverified`, `unverified_key`, `unknown_key`,
 * `other_user`, `same_user_different_email`, `multiple_signatures`, `revoked_key`, …) does not,
 * and maps to `unverified`. A body without a status is `unknown`.
 */
export function mapSignatureStatus(signature: GitLabCommitSignature | null | undefined): SignatureStatus {
  const status = signature?.verification_status;
  if (typeof status !== 'string' || status === '') return 'unknown';
  if (status === 'verified' || status === 'verified_system') return status;
  return 'unverified';
}

/**
 * GitLab answers 404 both for an unsigned commit (`{"message": "404 GPG Signature Not Found"}`)
 * and for a commit or project it cannot find (`404 Commit Not Found`, `404 Project Not Found`):
 * only the first means "unsigned".
 */
export function isSignatureNotFound(body: unknown): boolean {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /signature not found/i.test(message);
}

export function mapCommit(
  projectPath: string,
  sha: string,
  commit: GitLabCommit,
  signature: SignatureStatus,
  rawSignature?: unknown,
): NormalizedRecord<'commit'> {
  const committed = commit.committed_date ?? commit.created_at ?? commit.authored_date;
  const data: CommitRecord = {
    project: projectPath,
    sha,
    title: (commit.title ?? firstLine(commit.message ?? '')).replace(/\r$/, ''),
    message: commit.message ?? '',
    authorName: commit.author_name ?? '',
    authorEmail: commit.author_email ?? '',
    committedAt: committed ? toIsoUtc(committed) : '',
    signature,
  };
  return {
    kind: 'commit',
    externalId: externalIds.commit(projectPath, sha),
    data,
    raw: rawSignature === undefined ? commit : { ...commit, signature: rawSignature },
  };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}
