/** GitLab commit and its signature → `commit` record (controls.md "signature"). */
import {
  externalIds,
  type CommitRecord,
  type NormalizedRecord,
  type SignatureStatus,
} from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { toIsoUtc } from './gitlab-deployment.mapper';
import type { GitLabCommit, GitLabCommitSignature } from './gitlab.types';

/**
 * What each `verification_status` GitLab can answer means for the signature control (controls.md
 * "signature"): only a signature GitLab verified passes. The values are those of CE
 * (app/models/concerns/enums/commit_signature.rb) and EE (ee/app/models/concerns/ee/enums/
 * commit_signature.rb, which adds `verified_ca`), for GPG, X.509 and SSH signatures alike; their
 * meanings are doc/user/project/repository/signed_commits/_index.md's.
 */
export const SIGNATURE_STATUSES: Readonly<Record<string, { signature: SignatureStatus; meaning: string }>> = {
  verified: { signature: 'verified', meaning: "signed by a key of the committer's, for a verified e-mail" },
  verified_system: {
    signature: 'verified_system',
    meaning: "signed by GitLab's own key (a commit made in the web UI or by GitLab itself)",
  },
  // EE: an X.509 certificate issued by a top-level group's certificate authority. The record has
  // no value of its own for it: it passes as `verified` does, and the raw status stays in `raw`.
  verified_ca: {
    signature: 'verified',
    meaning: "signed with a certificate of the group's certificate authority, for the committer's e-mail",
  },
  unverified: { signature: 'unverified', meaning: 'the signature is not valid' },
  same_user_different_email: {
    signature: 'unverified',
    meaning: "the key is the committer's but does not hold the commit's e-mail",
  },
  other_user: { signature: 'unverified', meaning: 'the key belongs to another user than the committer' },
  unverified_key: {
    signature: 'unverified',
    meaning: "the key has no verified e-mail of the committer's",
  },
  unknown_key: { signature: 'unverified', meaning: 'the key is unknown to GitLab' },
  multiple_signatures: { signature: 'unverified', meaning: 'the commit carries several signatures' },
  revoked_key: { signature: 'unverified', meaning: 'the key was revoked' },
  // 17.5+: verified, but the author e-mail a mailmap shows is not verified (an orange badge).
  unverified_author_email: {
    signature: 'unverified',
    meaning: 'verified for the committer, but the mapped author e-mail is not verified',
  },
};

/**
 * The record's signature for a signature body: what SIGNATURE_STATUSES says of its
 * `verification_status`; a body without a status, or with one GitLab did not have when this
 * connector was written, is `unknown` — not passing, never dropped (see
 * `unrecognisedSignatureProblem`).
 */
export function mapSignatureStatus(signature: GitLabCommitSignature | null | undefined): SignatureStatus {
  const status = signature?.verification_status;
  if (typeof status !== 'string' || status === '') return 'unknown';
  return Object.hasOwn(SIGNATURE_STATUSES, status) ? SIGNATURE_STATUSES[status].signature : 'unknown';
}

/**
 * A problem for a signature whose status this connector does not know (a newer GitLab): the commit
 * is recorded with `signature: unknown` (it does not pass), and the problem names the status so the
 * mapping can be taught it. Reading again gives the same answer (`lasting`), and the record says
 * itself what it lacks (`kinds: []`).
 */
export function unrecognisedSignatureProblem(
  where: string,
  signature: GitLabCommitSignature | null | undefined,
): StreamProblem | undefined {
  const status = signature?.verification_status;
  if (typeof status !== 'string' || status === '' || Object.hasOwn(SIGNATURE_STATUSES, status))
    return undefined;
  return {
    where,
    error: `GitLab answered the signature verification status "${status}", which this connector does not know: recorded as "unknown" (not passing)`,
    kinds: [],
    code: 'signature-status-unrecognised',
    fix: `upgrade audit-hub's GitLab connector, or report the status "${status}" so it learns what it means`,
    lasting: true,
  };
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
