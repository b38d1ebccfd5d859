/** `connectors check` for GitLab issues: the token works (and whose it is), and the project is visible. */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabIssuesOptions } from './gitlab-issues.config';
import type { GitLabIssuesClient } from './gitlab-issues.client';

export async function checkConnection(
  client: GitLabIssuesClient,
  options: ResolvedGitLabIssuesOptions,
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];
  try {
    const user = await client.currentUser();
    results.push({
      name: 'credentials',
      ok: true,
      detail: `authenticated as @${user.username ?? user.id ?? '?'}`,
    });
  } catch (err) {
    const unreachable = isUpstreamError(err) && ['network', 'timeout'].includes(err.code);
    const why =
      isUpstreamError(err) && err.code === 'unauthorized'
        ? 'the token was refused (revoked, expired or mistyped)'
        : describe(err);
    results.push({ name: unreachable ? 'reachable' : 'credentials', ok: false, detail: why });
    return results;
  }
  try {
    const project = await client.projectInfo();
    results.push({
      name: `project:${options.project}`,
      ok: true,
      detail: `visible as ${project.path_with_namespace ?? project.name ?? options.project}`,
    });
  } catch (err) {
    const missing = isUpstreamError(err) && (err.code === 'not_found' || err.code === 'forbidden');
    results.push({
      name: `project:${options.project}`,
      ok: false,
      detail: missing ? `project not found, or not visible to the token (${describe(err)})` : describe(err),
    });
  }
  return results;
}
