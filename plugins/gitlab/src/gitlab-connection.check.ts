/**
 * `connectors check` for GitLab: the token works (and whose it is), which GitLab it is (version,
 * edition), the token may read the API (`read_api`), each configured project and group is visible
 * to it, and so is each repository the service catalog names for it (what shipped with a Jenkins
 * deployment is read there). Then each permission the streams need beyond Reporter is probed on a
 * project — pipeline variables (Maintainer), protected environments (Premium, Maintainer), MR
 * approvals — and each group's members. A failed check says what it costs (`affects`: the record
 * kinds left unread, or the fields recorded as null) and what fixes it; one whose absence leaves
 * collection going, with some fields unknown, is a `warn`.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { DEPLOYMENTS_KINDS } from './gitlab-deployments.stream';
import { describeEdition, editionOf, isRouteNotFound, type GitLabEdition } from './gitlab-edition';
import type { ResolvedGitLabOptions } from './gitlab.config';
import { encodeId, type GitLabClient } from './gitlab.client';

/** What the shipped ranges of Jenkins deployments are read into. */
const RANGE_KINDS: RecordKind[] = ['merge-request', 'deployment-mr', 'commit'];
const PREMIUM = 'GitLab Premium or Ultimate (an Enterprise Edition instance with a license)';

type Describe = (err: unknown) => string;

/** A project the permission probes run on: its path for names, its id for requests. */
interface ProbeTarget {
  name: string;
  id: string | number;
}

export async function checkConnection(
  client: GitLabClient,
  options: Pick<ResolvedGitLabOptions, 'projects' | 'groups'>,
  repositories: string[] = [],
): Promise<CheckResult[]> {
  const describe: Describe = (err) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  try {
    const user = (await client.currentUser()).data;
    const name = user.username ? `@${user.username}` : `user ${user.id ?? '?'}`;
    results.push({ name: 'credentials', ok: true, detail: `authenticated as ${name}` });
  } catch (err) {
    const unreachable = isUpstreamError(err) && ['network', 'timeout'].includes(err.code);
    const refused = isUpstreamError(err) && err.code === 'unauthorized';
    results.push({
      name: unreachable ? 'reachable' : 'credentials',
      ok: false,
      detail: refused ? 'the token was refused (revoked, expired or mistyped)' : describe(err),
      ...(refused ? { fix: 'a valid token with the read_api scope' } : {}),
    });
    // Without a working token or a reachable server every further check fails the same way.
    return results;
  }

  const edition = await readEdition(client, describe);
  results.push(edition.result);

  let firstMember: ProbeTarget | undefined;
  try {
    const page = await client.http.get<unknown>('/api/v4/projects', { membership: true, per_page: 1 });
    const ok = Array.isArray(page.data);
    const first = ok ? (page.data as { id?: number; path_with_namespace?: string }[])[0] : undefined;
    if (first && typeof first.id === 'number')
      firstMember = { id: first.id, name: first.path_with_namespace ?? String(first.id) };
    results.push({
      name: 'read:projects',
      ok,
      detail: ok ? 'the token can read the API (read_api)' : 'GET /api/v4/projects did not answer a list',
      ...(ok ? {} : { affects: { kinds: [...DEPLOYMENTS_KINDS, 'group-membership'] } }),
    });
  } catch (err) {
    const forbidden = isUpstreamError(err) && err.code === 'forbidden';
    results.push({
      name: 'read:projects',
      ok: false,
      detail: forbidden
        ? `the token cannot read the API: give it the read_api scope (${describe(err)})`
        : describe(err),
      affects: { kinds: [...DEPLOYMENTS_KINDS, 'group-membership'] },
      ...(forbidden ? { fix: 'the read_api scope on the token' } : {}),
    });
  }

  const targets: ProbeTarget[] = [];
  for (const project of options.projects) {
    const result = await visible(`project:${project}`, () => client.project(project), describe, {
      kinds: DEPLOYMENTS_KINDS,
    });
    results.push(result);
    if (result.ok) targets.push({ name: project, id: project });
  }
  for (const group of options.groups) {
    const result = await visible(`group:${group}`, () => client.group(group), describe, {
      kinds: [...DEPLOYMENTS_KINDS, 'group-membership'],
    });
    results.push(result);
    if (result.ok) results.push(await groupMembers(client, group, describe));
  }
  for (const repository of repositories.filter((r) => !options.projects.includes(r))) {
    results.push(
      await visible(`repository:${repository}`, () => client.project(repository), describe, {
        kinds: RANGE_KINDS,
      }),
    );
  }

  // Permissions are the same on every project the token's role covers: one project tells.
  if (targets.length === 0 && firstMember) targets.push(firstMember);
  for (const target of targets) {
    results.push(await pipelineVariables(client, target, describe));
    results.push(await protectedEnvironments(client, target, edition.edition, describe));
    results.push(await mergeRequestApprovals(client, target, describe));
  }
  return results;
}

async function visible(
  name: string,
  read: () => Promise<{ data: { path_with_namespace?: string; full_path?: string } }>,
  describe: Describe,
  affects: { kinds: RecordKind[] },
): Promise<CheckResult> {
  try {
    const { data } = await read();
    return { name, ok: true, detail: `visible as ${data.path_with_namespace ?? data.full_path ?? name}` };
  } catch (err) {
    const missing = isUpstreamError(err) && (err.code === 'not_found' || err.code === 'forbidden');
    const what = name.split(':')[0];
    return {
      name,
      ok: false,
      detail: missing ? `${what} not found, or not visible to the token (${describe(err)})` : describe(err),
      affects,
      ...(missing
        ? { fix: `check the ${what} path, and give the token's user the Reporter role on the ${what}` }
        : {}),
    };
  }
}

/**
 * The version and edition: Community Edition has none of the Premium endpoints, so what they hold
 * is recorded as unknown (null) — never as "none" — and the check says so once, here.
 */
async function readEdition(
  client: GitLabClient,
  describe: Describe,
): Promise<{ edition: GitLabEdition; result: CheckResult }> {
  try {
    const response = await client.metadata();
    if (response.status === 404) {
      return {
        edition: {},
        result: {
          name: 'edition',
          ok: false,
          severity: 'warn',
          detail: 'GitLab answered neither /metadata nor /version: its version and edition are unknown',
        },
      };
    }
    const edition = editionOf(response.data);
    const named = describeEdition(edition);
    if (edition.enterprise === false) {
      return {
        edition,
        result: {
          name: 'edition',
          ok: false,
          severity: 'warn',
          detail: `${named}: deployment approvals, protected environments and merge request approval rules are Premium features it does not have; they are recorded as unknown (null), and the controls deciding with them leave those subjects undecided`,
          affects: {
            fields: [
              'deployment.approvals',
              'deployment.environmentProtection',
              'merge-request.approvalsRequired',
            ],
          },
          fix: PREMIUM,
        },
      };
    }
    return { edition, result: { name: 'edition', ok: true, detail: named } };
  } catch (err) {
    return {
      edition: {},
      result: {
        name: 'edition',
        ok: false,
        severity: 'warn',
        detail: `the version and edition could not be read (${describe(err)})`,
      },
    };
  }
}

/** Pipeline variables: GitLab's pipeline policy lets only Maintainers (or the triggerer) read them. */
async function pipelineVariables(
  client: GitLabClient,
  target: ProbeTarget,
  describe: Describe,
): Promise<CheckResult> {
  const name = `pipeline-variables:${target.name}`;
  const project = `/projects/${encodeId(target.id)}`;
  try {
    const list = await client.probe(`${project}/pipelines`, { per_page: 1 });
    const pipeline = Array.isArray(list.data) ? (list.data[0] as { id?: number } | undefined) : undefined;
    if (list.status === 200 && pipeline === undefined) {
      return { name, ok: true, detail: 'not probed: the project has no pipeline yet' };
    }
    if (list.status !== 200 || typeof pipeline?.id !== 'number') {
      // Unknown is not readable: say so, with what it may cost.
      return {
        name,
        ok: false,
        severity: 'warn',
        detail: `not probed: its pipelines could not be listed (${list.status}${list.status === 200 ? ', no pipeline id' : ''})`,
        affects: { fields: ['deployment.variables'] },
        fix: `the Reporter role (read_api) on ${target.name} lists pipelines; reading their variables needs Maintainer`,
      };
    }
    const answer = await client.probe(`${project}/pipelines/${pipeline.id}/variables`);
    if (answer.status === 200) {
      return { name, ok: true, detail: `the token can read pipeline variables (pipeline ${pipeline.id})` };
    }
    return {
      name,
      ok: false,
      severity: 'warn',
      detail: `GitLab refused the variables of pipeline ${pipeline.id} (${answer.status}): deployments are recorded with variables unknown (null), and change numbers are linked from commit messages and merge requests only`,
      affects: { fields: ['deployment.variables'] },
      fix: `the Maintainer role on ${target.name} for the token's user (GitLab lets only Maintainers, or a pipeline's triggerer, read its variables)`,
    };
  } catch (err) {
    return {
      name,
      ok: false,
      severity: 'warn',
      detail: describe(err),
      affects: { fields: ['deployment.variables'] },
    };
  }
}

/**
 * Protected environments (Premium): Community Edition has no such route (404 `{"error"}`); an
 * Enterprise Edition refuses them (403) below Maintainer, or without a license for them
 * (ee/lib/api/protected_environments.rb `authorize! :admin_protected_environments`).
 */
async function protectedEnvironments(
  client: GitLabClient,
  target: ProbeTarget,
  edition: GitLabEdition,
  describe: Describe,
): Promise<CheckResult> {
  const name = `protected-environments:${target.name}`;
  const affects = { fields: ['deployment.environmentProtection'] };
  try {
    const answer = await client.probe(`/projects/${encodeId(target.id)}/protected_environments`, {
      per_page: 1,
    });
    if (answer.status === 200) return { name, ok: true, detail: 'the token can read protected environments' };
    if (isRouteNotFound(answer.status, answer.data)) {
      return {
        name,
        ok: false,
        severity: 'warn',
        detail: `this GitLab has no protected environments API (${edition.enterprise === false ? 'Community Edition' : 'not offered by this edition or version'}): each deployment's environmentProtection is recorded as unknown (null)`,
        affects,
        fix: PREMIUM,
      };
    }
    if (answer.status === 403) {
      return {
        name,
        ok: false,
        severity: 'warn',
        detail:
          "GitLab refused the protected environments (403): it shows them only to Maintainers, and only under a Premium license; each deployment's environmentProtection is recorded as unknown (null)",
        affects,
        fix: `the Maintainer role on ${target.name} for the token's user, on ${PREMIUM}`,
      };
    }
    return { name, ok: false, severity: 'warn', detail: `not probed: the project answered ${answer.status}` };
  } catch (err) {
    return { name, ok: false, severity: 'warn', detail: describe(err), affects };
  }
}

/**
 * MR approvals on the latest merged MR: Premium adds the approval rules (`approvals_required`,
 * `approvals_left`); Free still lists the approvers (lib/api/entities/merge_request_approvals.rb).
 */
async function mergeRequestApprovals(
  client: GitLabClient,
  target: ProbeTarget,
  describe: Describe,
): Promise<CheckResult> {
  const name = `merge-request-approvals:${target.name}`;
  const project = `/projects/${encodeId(target.id)}`;
  const affects = { fields: ['merge-request.approvedBy'] };
  try {
    const list = await client.probe(`${project}/merge_requests`, { state: 'merged', per_page: 1 });
    const mr = Array.isArray(list.data) ? (list.data[0] as { iid?: number } | undefined) : undefined;
    if (list.status !== 200 || typeof mr?.iid !== 'number') {
      return {
        name,
        ok: true,
        detail:
          list.status === 200
            ? 'not probed: the project has no merged merge request yet'
            : `not probed: its merge requests could not be listed (${list.status})`,
      };
    }
    const answer = await client.probe(`${project}/merge_requests/${mr.iid}/approvals`);
    if (answer.status === 200) {
      const rules = typeof (answer.data as { approvals_required?: unknown })?.approvals_required === 'number';
      return {
        name,
        ok: true,
        detail: rules
          ? 'the token can read merge request approvals and approval rules'
          : 'the token can read who approved merge requests; approval rules (required approvals) are a Premium feature this GitLab does not offer',
      };
    }
    if (isRouteNotFound(answer.status, answer.data)) {
      return {
        name,
        ok: false,
        severity: 'warn',
        detail:
          'this GitLab has no merge request approvals API (an older Community Edition): approvers are recorded as unknown (null)',
        affects,
        fix: `${PREMIUM}, or a newer GitLab`,
      };
    }
    return {
      name,
      ok: false,
      severity: 'warn',
      detail: `GitLab refused the approvals of merge request !${mr.iid} (${answer.status}): approvers are recorded as unknown (null)`,
      affects,
      fix: `the Reporter role on ${target.name} for the token's user`,
    };
  } catch (err) {
    return { name, ok: false, severity: 'warn', detail: describe(err), affects };
  }
}

/** A group's members, inherited ones included: what the `group-members` snapshot reads. */
async function groupMembers(client: GitLabClient, group: string, describe: Describe): Promise<CheckResult> {
  const name = `group-members:${group}`;
  const affects = { kinds: ['group-membership'] as RecordKind[] };
  try {
    const answer = await client.probe(`/groups/${encodeId(group)}/members/all`, { per_page: 1 });
    if (answer.status === 200 && Array.isArray(answer.data))
      return { name, ok: true, detail: 'the token can read the group members' };
    return {
      name,
      ok: false,
      detail: `GitLab did not list the group members (${answer.status})`,
      affects,
      fix: `membership of ${group} (any role) for the token's user, or a group access token of ${group}`,
    };
  } catch (err) {
    return { name, ok: false, detail: describe(err), affects };
  }
}
