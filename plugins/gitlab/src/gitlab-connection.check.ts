/**
 * `connectors check` for GitLab: the token works (and whose it is), it may read the API
 * (`read_api`), each configured project and group is visible to it, and so is each repository the
 * service catalog names for it (what shipped with a Jenkins deployment is read there).
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabOptions } from './gitlab.config';
import type { GitLabClient } from './gitlab.client';

export async function checkConnection(
  client: GitLabClient,
  options: Pick<ResolvedGitLabOptions, 'projects' | 'groups'>,
  repositories: string[] = [],
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  try {
    const user = (await client.currentUser()).data;
    const name = user.username ? `@${user.username}` : `user ${user.id ?? '?'}`;
    results.push({ name: 'credentials', ok: true, detail: `authenticated as ${name}` });
  } catch (err) {
    const unreachable = isUpstreamError(err) && ['network', 'timeout'].includes(err.code);
    const why =
      isUpstreamError(err) && err.code === 'unauthorized'
        ? 'the token was refused (revoked, expired or mistyped)'
        : describe(err);
    results.push({ name: unreachable ? 'reachable' : 'credentials', ok: false, detail: why });
    // Without a working token or a reachable server every further check fails the same way.
    return results;
  }

  try {
    const page = await client.http.get<unknown>('/api/v4/projects', { membership: true, per_page: 1 });
    const ok = Array.isArray(page.data);
    results.push({
      name: 'read:projects',
      ok,
      detail: ok ? 'the token can read the API (read_api)' : 'GET /api/v4/projects did not answer a list',
    });
  } catch (err) {
    const why =
      isUpstreamError(err) && err.code === 'forbidden'
        ? `the token cannot read the API: give it the read_api scope (${describe(err)})`
        : describe(err);
    results.push({ name: 'read:projects', ok: false, detail: why });
  }

  for (const project of options.projects) {
    results.push(await visible(`project:${project}`, () => client.project(project), describe));
  }
  for (const group of options.groups) {
    results.push(await visible(`group:${group}`, () => client.group(group), describe));
  }
  for (const repository of repositories.filter((r) => !options.projects.includes(r))) {
    results.push(await visible(`repository:${repository}`, () => client.project(repository), describe));
  }
  return results;
}

async function visible(
  name: string,
  read: () => Promise<{ data: { path_with_namespace?: string; full_path?: string } }>,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  try {
    const { data } = await read();
    return { name, ok: true, detail: `visible as ${data.path_with_namespace ?? data.full_path ?? name}` };
  } catch (err) {
    const missing = isUpstreamError(err) && (err.code === 'not_found' || err.code === 'forbidden');
    return {
      name,
      ok: false,
      detail: missing
        ? `${name.split(':')[0]} not found, or not visible to the token (${describe(err)})`
        : describe(err),
    };
  }
}
