/**
 * GitLab issues as a remediation tracker. GitLab takes no idempotency key, so every ticket carries
 * the finding's dedupe marker as a label (`audit-hub::<marker>`), and the hub searches for that
 * label (opened and closed issues alike) before it creates anything. GitLab's label filter reads
 * the database, so a just-created issue is found at once.
 */
import type { TicketInput, TicketRef, TrackerConnection } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabIssuesOptions } from './gitlab-issues.config';
import type { GitLabIssuesClient } from './gitlab-issues.client';
import type { GitLabIssue } from './gitlab-issues.types';

/** GitLab caps an issue title at 255 characters. */
const TITLE_MAX = 255;
const MARKER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The label that carries a dedupe marker (a scoped label on Premium; a plain one on Free). */
export function markerLabel(marker: string): string {
  if (!MARKER.test(marker))
    throw new TypeError(
      `gitlab-issues: dedupe marker "${marker}" cannot be a label (letters, digits, ".", "_" and "-" only)`,
    );
  return `audit-hub::${marker}`;
}

/**
 * The ticket key is the issue's full reference (`acme/security#14`): readable, and it ends with
 * the `iid` every later call needs. A bare number is taken as the `iid` itself.
 */
export function issueIid(key: string): number {
  const match = /(?:^|#)(\d+)$/.exec(key.trim());
  if (!match)
    throw new TypeError(`gitlab-issues: "${key}" is not an issue reference such as group/project#14`);
  return Number(match[1]);
}

function title(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= TITLE_MAX ? flat : `${flat.slice(0, TITLE_MAX - 1)}…`;
}

function ref(issue: GitLabIssue): TicketRef {
  return {
    key: issue.references?.full ?? `#${issue.iid}`,
    url: issue.web_url ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
  };
}

export function createGitLabIssuesTracker(
  client: GitLabIssuesClient,
  options: ResolvedGitLabIssuesOptions,
): TrackerConnection & { readonly searchConsistencyMs: number } {
  return {
    searchConsistencyMs: 0,

    async findTicket(marker) {
      const [oldest] = await client.issuesWithLabel(markerLabel(marker), 1);
      return oldest ? ref(oldest) : null;
    },

    async createTicket(input: TicketInput) {
      // GitLab splits `labels` on commas.
      const extra = (input.labels ?? []).map((l) => l.replace(/,/g, ' ').trim()).filter(Boolean);
      const labels = [...new Set([markerLabel(input.marker), ...options.labels, ...extra])];
      return ref(await client.createIssue({ title: title(input.title), description: input.body, labels }));
    },

    async updateTicket(key, update) {
      const fields: { title?: string; description?: string } = {};
      if (update.title !== undefined) fields.title = title(update.title);
      if (update.body !== undefined) fields.description = update.body;
      if (Object.keys(fields).length) await client.updateIssue(issueIid(key), fields);
    },

    async comment(key, body) {
      await client.addNote(issueIid(key), body);
    },

    async closeTicket(key, comment) {
      const iid = issueIid(key);
      if (comment) await client.addNote(iid, comment);
      await client.setState(iid, 'close');
    },

    async reopenTicket(key, comment) {
      const iid = issueIid(key);
      await client.setState(iid, 'reopen');
      if (comment) await client.addNote(iid, comment);
    },
  };
}
