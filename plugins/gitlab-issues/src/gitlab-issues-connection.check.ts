/**
 * `connectors check` for GitLab issues: the token works (and whose it is), the project is visible,
 * and the token's role there lets it label what it files: below Reporter (Planner on 17.7+) GitLab
 * files the issue but drops its labels without an error (a marker label is always a new label,
 * which only `admin_label` may create), so tickets are found again by their description only and
 * carry none of the configured labels.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabIssuesOptions } from './gitlab-issues.config';
import type { GitLabIssuesClient } from './gitlab-issues.client';
import type { GitLabProject } from './gitlab-issues.types';

/** GitLab's Planner (17.7+) and above may create labels; Reporter always could. */
const LABELS_LEVEL = 15;
const ROLES: Record<number, string> = { 5: 'Minimal Access', 10: 'Guest', 15: 'Planner', 20: 'Reporter' };

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
    const labels = labelsCheck(project, options.project);
    if (labels) results.push(labels);
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

/** Whether the token's role lets GitLab keep the labels of what it files; undefined when GitLab does not say (an admin). */
function labelsCheck(project: GitLabProject, name: string): CheckResult | undefined {
  const permissions = project.permissions;
  if (!permissions) return undefined;
  const levels = [permissions.project_access?.access_level, permissions.group_access?.access_level].filter(
    (l): l is number => typeof l === 'number',
  );
  const level = levels.length ? Math.max(...levels) : undefined;
  if (level !== undefined && level >= LABELS_LEVEL)
    return { name: `labels:${name}`, ok: true, detail: 'the token may label the issues it files' };
  const role = level === undefined ? 'no member' : (ROLES[level] ?? `access level ${level}`);
  return {
    name: `labels:${name}`,
    ok: false,
    severity: 'warn',
    detail: `the token's user is ${role === 'no member' ? 'no member' : `a ${role}`} of ${name}: GitLab files its issues but drops their labels without an error, so tickets carry none of their labels and are found again by the marker in their description only`,
    fix: `the Reporter role (or Planner) on ${name} for the token's user`,
  };
}
