/**
 * `connectors check` for Jira: the credentials work (and whose they are), the project is visible,
 * it offers the configured issue type, and that type's create screen takes what a ticket sends:
 * without the Labels field Jira refuses every create that sets labels (the tracker then files the
 * ticket without any, found again by its description only), and a required field without a
 * default that the tracker does not fill makes every create fail.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedJiraOptions } from './jira.config';
import type { JiraClient } from './jira.client';
import type { JiraFieldMeta } from './jira.types';

/** The fields a ticket sets (and the ones Jira fills itself). */
const SENT = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'reporter']);

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
      const type = project.issueTypes.find((t) => t.name?.toLowerCase() === options.issueType.toLowerCase());
      const ok = !!type;
      results.push({
        name: `issueType:${options.issueType}`,
        ok,
        detail: ok
          ? `project ${options.project} offers issue type ${options.issueType}`
          : `project ${options.project} has no issue type "${options.issueType}" (it has: ${names.join(', ') || 'none'}); set options.issueType`,
      });
      if (type?.id) results.push(...(await createScreen(client, options, type.id, describe)));
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

/** What the create screen of the issue type lets a ticket set. */
async function createScreen(
  client: JiraClient,
  options: ResolvedJiraOptions,
  typeId: string,
  describe: (err: unknown) => string,
): Promise<CheckResult[]> {
  const name = `createScreen:${options.issueType}`;
  let fields: JiraFieldMeta[] | null;
  try {
    fields = await client.createFields(options.project, typeId);
  } catch (err) {
    return [
      { name, ok: false, severity: 'warn', detail: `the create screen could not be read (${describe(err)})` },
    ];
  }
  if (fields === null)
    return [{ name, ok: true, detail: 'not probed: this Jira has no create metadata endpoint (before 8.4)' }];
  const ids = fields.map((f) => f.fieldId ?? f.key).filter((id): id is string => !!id);
  const out: CheckResult[] = [];
  const blocking = fields.filter(
    (f) => f.required && !f.hasDefaultValue && !SENT.has(f.fieldId ?? f.key ?? ''),
  );
  if (blocking.length || !ids.includes('description')) {
    const what = [
      ...blocking.map((f) => `"${f.name ?? f.fieldId ?? f.key}" is required and has no default`),
      ...(ids.includes('description') ? [] : ['the Description field is not on it']),
    ];
    out.push({
      name,
      ok: false,
      detail: `Jira would refuse every ticket in ${options.project}: on the create screen of ${options.issueType}, ${what.join('; ')}`,
      fix: `give those fields a default, or make them optional, on the create screen of ${options.issueType} in ${options.project} (or set options.issueType to a type without them)`,
    });
  }
  out.push(
    ids.includes('labels')
      ? { name: `labels:${options.issueType}`, ok: true, detail: 'the create screen takes labels' }
      : {
          name: `labels:${options.issueType}`,
          ok: false,
          severity: 'warn',
          detail: `the create screen of ${options.issueType} in ${options.project} has no Labels field: tickets are filed without labels and found again by the marker line of their description only`,
          fix: `add the Labels field to the create screen of ${options.issueType} in ${options.project}`,
        },
  );
  return out;
}
