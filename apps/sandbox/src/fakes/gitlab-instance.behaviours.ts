/**
 * How the GitLab fake's answers change with the real-instance switches about editions, people and
 * signatures (`GitlabBehaviours` `ghostUsers`, `hiddenEmails`, `communityEdition`,
 * `eeSignatureStatuses`; docs/connectors/gitlab.md "On real instances"). Each function takes the
 * answer the fake would give a licensed Enterprise Edition with every e-mail public and every user
 * present, and returns the one the switched-on instance gives.
 */
import { createHash } from 'node:crypto';
import type { Commit, Estate, Person } from '../estate/estate.model';
import type { FakeResponse } from './fake-http.util';
import type { GitlabView } from './gitlab.views';

/** The switches this module serves (a subset of GitlabBehaviours). */
export interface GitlabInstanceSwitches {
  ghostUsers?: boolean;
  hiddenEmails?: boolean;
  communityEdition?: boolean;
  eeSignatureStatuses?: boolean;
}

/** The version the fake reports; Enterprise Edition builds name themselves with `-ee`. */
export const FAKE_GITLAB_VERSION = '17.11.2';

/** The ghost user's id: past every person of the estate. */
export const GHOST_USER_ID = 1_000_001;

/**
 * `/metadata` (and the older `/version`, answered alike since 15.2: lib/api/metadata.rb), in the
 * shape of doc/api/metadata.md.
 */
export function metadataView(switches: GitlabInstanceSwitches) {
  const ce = !!switches.communityEdition;
  return {
    version: ce ? FAKE_GITLAB_VERSION : `${FAKE_GITLAB_VERSION}-ee`,
    revision: 'a3f5c2d1e08',
    kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
    enterprise: !ce,
  };
}

const deletedCache = new WeakMap<Estate, ReadonlySet<string>>();

/**
 * The people whose GitLab account was deleted: the estate's leavers from the day they left, and
 * one developer with merge requests whom no planted case names (an account removed from GitLab
 * while the directory keeps the person), so that the switch shows on every estate — leavers of a
 * small estate may have left no trace in GitLab.
 */
export function deletedUserNames(estate: Estate, now: string): ReadonlySet<string> {
  const leavers = estate.people.filter((p) => !!p.leftAt && p.leftAt <= now).map((p) => p.userName);
  let chosen = deletedCache.get(estate);
  if (!chosen) {
    const planted = JSON.stringify(estate.planted);
    const authored = (p: Person) =>
      estate.mergeRequests.filter((m) => m.authorUserName === p.userName).length;
    const candidate = estate.people
      .filter(
        (p) => p.roles.includes('developer') && !p.leftAt && authored(p) > 0 && !planted.includes(p.userName),
      )
      .sort((a, b) => authored(a) - authored(b) || a.id - b.id)[0];
    chosen = new Set(candidate ? [candidate.userName] : []);
    deletedCache.set(estate, chosen);
  }
  return new Set([...leavers, ...chosen]);
}

/** Whether a person hides their e-mail: every third person, by id (the estate does not say). */
export function hidesEmail(person: Person): boolean {
  return person.id % 3 === 0;
}

/**
 * GitLab's private commit e-mail (lib/gitlab/private_commit_email.rb `for_user`:
 * `<id>-<username>@<commit_email_hostname>`, the hostname `users.noreply.<host>` by default).
 */
export function privateCommitEmail(view: GitlabView, person: Person): string {
  return `${person.id}-${person.userName}@users.noreply.${new URL(view.web).hostname}`;
}

function ghostUser(view: GitlabView) {
  return {
    id: GHOST_USER_ID,
    username: 'ghost',
    name: 'Ghost User',
    state: 'active',
    avatar_url: `https://www.gravatar.com/avatar/${createHash('md5').update('ghost@example.com').digest('hex')}?s=80&d=identicon`,
    web_url: `${view.web}/ghost`,
  };
}

/**
 * `ghostUsers` and `hiddenEmails` over a JSON answer: every user a deleted person was becomes the
 * ghost user (Users::MigrateRecordsToGhostUserService moves their MRs, notes, pipelines and jobs to
 * it), and a deleted person is gone from member lists; the commits of people who hide their e-mail
 * carry their private commit e-mail, as git records the address GitLab gave them.
 */
export function rewritePeople(
  response: FakeResponse,
  view: GitlabView,
  switches: GitlabInstanceSwitches,
): FakeResponse {
  if (!switches.ghostUsers && !switches.hiddenEmails) return response;
  if (response.status !== 200 || !response.headers['content-type']?.includes('json')) return response;
  const deleted = switches.ghostUsers ? deletedUserNames(view.estate, view.now) : new Set<string>();
  const hidden = new Map<string, string>();
  for (const person of view.estate.people) {
    if (switches.hiddenEmails && hidesEmail(person))
      hidden.set(person.email, privateCommitEmail(view, person));
  }
  if (!deleted.size && !hidden.size) return response;
  const ghost = ghostUser(view);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      // A member list (`access_level` beside the user fields) loses the deleted people.
      return value
        .filter((v) => !(isUserObject(v) && 'access_level' in v && deleted.has(v.username)))
        .map(walk);
    }
    if (!value || typeof value !== 'object') return value;
    if (isUserObject(value) && !('access_level' in value) && deleted.has(value.username)) return { ...ghost };
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        (key === 'author_email' || key === 'committer_email') && typeof inner === 'string'
          ? (hidden.get(inner) ?? inner)
          : walk(inner);
    }
    return out;
  };
  return { ...response, body: JSON.stringify(walk(JSON.parse(response.body))) };
}

function isUserObject(value: unknown): value is { username: string } & Record<string, unknown> {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as { username?: unknown }).username === 'string' &&
    'web_url' in value &&
    'state' in value
  );
}

/**
 * `/merge_requests/:iid/approvals` on Community Edition: the CE entity
 * (lib/api/entities/merge_request_approvals.rb) — who approved, no approval rules.
 */
export function communityApprovals(body: { approved_by: unknown[] }) {
  return {
    user_has_approved: false,
    user_can_approve: false,
    approved: body.approved_by.length > 0,
    approved_by: body.approved_by,
  };
}

/** A single deployment on Community Edition: no deployment approvals (an `ee/` feature). */
export function communityDeployment<T extends object>(
  body: T,
): Omit<T, 'approvals' | 'pending_approval_count'> {
  const {
    approvals: _approvals,
    pending_approval_count: _pending,
    ...rest
  } = body as T & {
    approvals?: unknown;
    pending_approval_count?: unknown;
  };
  return rest;
}

/** The failing statuses of a GPG, X.509 or SSH signature besides `unverified` (enums/commit_signature.rb). */
const FAILING = [
  'unverified_key',
  'other_user',
  'same_user_different_email',
  'unknown_key',
  'revoked_key',
  'multiple_signatures',
];

/**
 * `eeSignatureStatuses`: the statuses an Enterprise Edition and newer versions answer beyond the
 * three the estate knows — a verified X.509 signature is `verified_ca` (a certificate of the
 * group's CA, ee/app/models/concerns/ee/enums/commit_signature.rb), and an unverified one says
 * why (`unknown_key`, `other_user`, …, picked by the commit's sha). What passes still passes.
 */
export function eeSignatureStatus(commit: Commit, body: string): string {
  const sig = commit.signature;
  if (!sig) return body;
  let status: string = sig.status;
  if (sig.status === 'verified' && sig.type === 'x509') status = 'verified_ca';
  if (sig.status === 'unverified')
    status = FAILING[Number.parseInt(commit.sha.slice(0, 6), 16) % FAILING.length];
  return body.replace(`"verification_status":"${sig.status}"`, `"verification_status":"${status}"`);
}
