/**
 * Jira as a remediation tracker. Jira takes no idempotency key, so every ticket carries the
 * finding's dedupe marker as a label (`audit-hub-<marker>`), and the hub searches for that label
 * before it creates anything. On Cloud that search is eventually consistent (an issue created a
 * moment ago may be missing from it); `searchConsistencyMs` tells the hub how long to wait before
 * trusting a miss after a create whose answer was lost.
 */
import { UpstreamError } from '@audit-hub/http';
import type { TicketInput, TicketRef, TrackerConnection } from '@audit-hub/plugin-sdk';
import { toAdf, toWiki } from './jira-document.format';
import type { ResolvedJiraOptions } from './jira.config';
import type { JiraClient } from './jira.client';
import type { JiraIssue, JiraStatus, JiraTransition } from './jira.types';

/** Jira caps `summary` at 255 characters. */
const SUMMARY_MAX = 255;
const MARKER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The label that carries a dedupe marker; markers are single words, as Jira labels must be. */
export function markerLabel(marker: string): string {
  if (!MARKER.test(marker))
    throw new TypeError(
      `jira: dedupe marker "${marker}" cannot be a label (letters, digits, ".", "_" and "-" only)`,
    );
  return `audit-hub-${marker}`;
}

/** `done` is the status category of every closed status, whatever the workflow names it. */
export function isDone(status: JiraStatus | undefined): boolean {
  return status?.statusCategory?.key === 'done';
}

/** Jira labels cannot hold spaces; a label with one is refused, so spaces become hyphens. */
function label(text: string): string {
  return text.trim().replace(/\s+/g, '-');
}

function summary(title: string): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  return flat.length <= SUMMARY_MAX ? flat : `${flat.slice(0, SUMMARY_MAX - 1)}…`;
}

function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface JiraTracker extends TrackerConnection {
  /** How long a just-created issue may be missing from search (ms); the hub waits this long before trusting a miss. */
  readonly searchConsistencyMs: number;
}

export function createJiraTracker(client: JiraClient, options: ResolvedJiraOptions): JiraTracker {
  const text = (markdown: string): unknown => (client.version === 3 ? toAdf(markdown) : toWiki(markdown));
  const ref = (issue: { key: string }, state: TicketRef['state']): TicketRef => ({
    key: issue.key,
    url: client.browseUrl(issue.key),
    state,
  });
  const stateOf = (issue: JiraIssue): TicketRef['state'] =>
    isDone(issue.fields?.status) ? 'closed' : 'open';

  /** Picks the transition by name, else by target status name, else by target status category. */
  async function transitionTo(key: string, names: string[], category: string, option: string): Promise<void> {
    const available = await client.transitions(key);
    const lower = names.map((n) => n.toLowerCase());
    const pick =
      lower.map((n) => available.find((t) => t.name?.toLowerCase() === n)).find(Boolean) ??
      lower.map((n) => available.find((t) => t.to?.name?.toLowerCase() === n)).find(Boolean) ??
      available.find((t) => t.to?.statusCategory?.key === category);
    if (!pick) throw noTransition(key, names, available, option);
    await client.transition(key, pick.id);
  }

  function noTransition(
    key: string,
    names: string[],
    available: JiraTransition[],
    option: string,
  ): UpstreamError {
    const offered = available.length
      ? available.map((t) => `${t.name}${t.to?.name ? ` → ${t.to.name}` : ''}`).join(', ')
      : 'none';
    return new UpstreamError({
      connector: client.http.connector,
      method: 'POST',
      path: client.api(`/issue/${key}/transitions`),
      code: 'client',
      retryable: false,
      detail: `issue ${key} offers no transition ${names.map((n) => `"${n}"`).join(' or ')} (available: ${offered}); set options.${option} to one of them`,
    });
  }

  return {
    searchConsistencyMs: options.searchConsistencyMs,

    async findTicket(marker) {
      // Oldest first: should a duplicate ever exist, every run keeps following the same issue.
      const jql = `project = ${jqlString(options.project)} AND labels = ${jqlString(markerLabel(marker))} ORDER BY created ASC`;
      const issue = await client.first(jql);
      return issue ? ref(issue, stateOf(issue)) : null;
    },

    async createTicket(input: TicketInput) {
      const labels = [
        ...new Set([markerLabel(input.marker), ...options.labels, ...(input.labels ?? []).map(label)]),
      ];
      const created = await client.createIssue({
        project: { key: options.project },
        issuetype: { name: options.issueType },
        summary: summary(input.title),
        description: text(input.body),
        labels: labels.filter(Boolean),
      });
      return ref(created, 'open');
    },

    async updateTicket(key, update) {
      const fields: Record<string, unknown> = {};
      if (update.title !== undefined) fields.summary = summary(update.title);
      if (update.body !== undefined) fields.description = text(update.body);
      if (Object.keys(fields).length) await client.updateIssue(key, fields);
    },

    async comment(key, body) {
      await client.addComment(key, text(body));
    },

    /** Comments first: a closed status is often not editable, which refuses comments too. */
    async closeTicket(key, comment) {
      if (comment) await client.addComment(key, text(comment));
      const issue = await client.issue(key, ['status']);
      if (isDone(issue.fields?.status)) return;
      await transitionTo(key, options.closeTransitions, 'done', 'closeTransition');
    },

    async reopenTicket(key, comment) {
      const issue = await client.issue(key, ['status']);
      if (isDone(issue.fields?.status))
        await transitionTo(key, options.reopenTransitions, 'new', 'reopenTransition');
      if (comment) await client.addComment(key, text(comment));
    },
  };
}
