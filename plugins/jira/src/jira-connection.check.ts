/**
 * `connectors check` for Jira: the credentials work (and whose they are), the project is visible,
 * and it offers the configured issue type.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedJiraOptions } from './jira.config';
import type { JiraClient } from './jira.client';

export async function checkConnection(
  client: JiraClient,
  options: ResolvedJiraOptions,
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  try {
    const me = await client.myself();
    const name = me.displayName ?? me.emailAddress ?? me.name ?? me.accountId ?? 'unknown user';
    results.push({ name: 'credentials', ok: true, detail: `authenticated as ${name} (${options.flavor})` });
  } catch (err) {
    const unreachable = isUpstreamError(err) && ['network', 'timeout'].includes(err.code);
    const why =
      isUpstreamError(err) && err.code === 'unauthorized'
        ? options.flavor === 'cloud'
          ? 'the credentials were refused: Jira Cloud takes the account e-mail and an API token'
          : 'the credentials were refused: Jira Data Center takes a personal access token'
        : describe(err);
    results.push({ name: unreachable ? 'reachable' : 'credentials', ok: false, detail: why });
    return results;
  }

  try {
    const project = await client.project(options.project);
    results.push({
      name: `project:${options.project}`,
      ok: true,
      detail: `visible as ${project.name ?? project.key ?? options.project}`,
    });
    if (Array.isArray(project.issueTypes)) {
      const names = project.issueTypes.map((t) => t.name).filter((n): n is string => !!n);
      const ok = names.some((n) => n.toLowerCase() === options.issueType.toLowerCase());
      results.push({
        name: `issueType:${options.issueType}`,
        ok,
        detail: ok
          ? `project ${options.project} offers issue type ${options.issueType}`
          : `project ${options.project} has no issue type "${options.issueType}" (it has: ${names.join(', ') || 'none'}); set options.issueType`,
      });
    }
  } catch (err) {
    const missing = isUpstreamError(err) && (err.code === 'not_found' || err.code === 'forbidden');
    results.push({
      name: `project:${options.project}`,
      ok: false,
      detail: missing
        ? `project ${options.project} not found, or not visible to these credentials (${describe(err)})`
        : describe(err),
    });
  }
  return results;
}
