/**
 * The `group-members` stream: a snapshot of the members of each configured group, the members it
 * inherits from its ancestor groups included (`/groups/:id/members/all`), as `group-membership`
 * records (`<group full path>/<user name>`) with GitLab's access level — so roles can be drawn from
 * `<connector id>:<group full path>` (interfaces.md `roles`).
 *
 * - A membership past its `expires_at` date (GitLab removes it during the day after) grants
 *   nothing and is left out; one awaiting a seat (`membership_state: awaiting`) and a blocked user
 *   too, since neither can act in the group; and so does one of an account that cannot sign in:
 *   GitLab's shared ghost or Import User account, or an import's placeholder user
 *   (gitlab-user-name.mapper.ts), which stand for people GitLab no longer or not yet knows.
 * - Member e-mails are not read: GitLab shows `email` only to administrators (and a group owner
 *   of enterprise users), and `public_email` is empty unless the user chose to show one, so
 *   memberships are keyed by user name, which identities resolve.
 * - A group that cannot be read, or a member without a user name, is a problem: the snapshot is
 *   then partial, and the core marks nothing missing from it as deleted.
 */
import type { GroupMembershipRecord, NormalizedRecord } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { Batch, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { isFatal } from './gitlab-deployments.stream';
import { isImportPlaceholder, sharedAccountKind } from './gitlab-user-name.mapper';
import type { GitLabClient } from './gitlab.client';
import type { GitLabMember } from './gitlab.types';

export const GROUP_MEMBERS_STREAM = 'group-members';

const ACCESS_LEVELS: Record<number, string> = {
  5: 'minimal_access',
  10: 'guest',
  15: 'planner',
  20: 'reporter',
  30: 'developer',
  40: 'maintainer',
  50: 'owner',
};

export interface GroupMembersStreamDeps {
  client: GitLabClient;
  groups: string[];
  connectorId: string;
  now: () => Date;
}

export function createGroupMembersStream(deps: GroupMembersStreamDeps): StreamDefinition {
  return {
    name: GROUP_MEMBERS_STREAM,
    kinds: ['group-membership'],
    mode: 'snapshot',
    read: () => readGroupMembers(deps),
  };
}

async function* readGroupMembers(deps: GroupMembersStreamDeps): AsyncGenerator<Batch> {
  const { client } = deps;
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const today = deps.now().toISOString().slice(0, 10);
  for (const configured of deps.groups) {
    let path: string;
    try {
      path = (await client.group(configured)).data.full_path ?? configured;
    } catch (err) {
      if (isFatal(err) || !isUpstreamError(err)) throw err;
      yield { records: [], problems: [{ where: `group "${configured}"`, error: describe(err) }] };
      continue;
    }
    const pages = client.groupMembers(configured);
    for (;;) {
      let next;
      try {
        next = await pages.next();
      } catch (err) {
        if (isFatal(err) || !isUpstreamError(err)) throw err;
        yield { records: [], problems: [{ where: `group ${path} members`, error: describe(err) }] };
        break;
      }
      if (next.done) break;
      const records: NormalizedRecord[] = [];
      const problems: StreamProblem[] = [];
      for (const member of next.value.items) {
        if (typeof member?.username !== 'string' || !member.username) {
          problems.push({
            where: `group ${path} members (${next.value.where})`,
            error: `a member (id ${member?.id ?? '?'}) has no username`,
          });
          continue;
        }
        if (!grants(member, today)) continue;
        const data: GroupMembershipRecord = {
          group: path,
          member: member.username,
          source: deps.connectorId,
          ...(typeof member.access_level === 'number'
            ? { accessLevel: ACCESS_LEVELS[member.access_level] ?? String(member.access_level) }
            : {}),
        };
        records.push({
          kind: 'group-membership',
          externalId: `${path}/${member.username}`,
          data,
          raw: member,
        });
      }
      yield { records, ...(problems.length ? { problems } : {}) };
    }
  }
}

/** Whether the membership lets the member act in the group today. */
function grants(member: GitLabMember, today: string): boolean {
  if (member.state && member.state !== 'active') return false;
  if (member.membership_state && member.membership_state !== 'active') return false;
  if (sharedAccountKind(member) || isImportPlaceholder(member)) return false;
  return !member.expires_at || member.expires_at >= today;
}
