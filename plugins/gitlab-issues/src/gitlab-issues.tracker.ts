/**
 * GitLab issues as a remediation tracker. GitLab takes no idempotency key, so every ticket carries
 * the finding's dedupe marker twice — as a label (`audit-hub::<marker>`) and as a line at the end
 * of its description — and the hub searches for it (opened and closed issues alike) before it
 * creates anything. GitLab's label filter and its description search both read the database, so a
 * just-created issue is found at once.
 *
 * Why twice: GitLab drops `labels` from a create without an error when the token's user may not
 * set them (IssuableBaseService#filter_params deletes them unless `set_issue_metadata`; a new
 * label — every marker is one — is created only with `admin_label`, Labels::FindOrCreateService,
 * which a Guest lacks). A marker that vanished would file the ticket again on every run. So after
 * a create the tracker checks what GitLab stored: without the label, the ticket must be found by
 * its description, or the create fails loudly, naming the fix.
 */
import { UpstreamError } from '@audit-hub/http';
import type { TicketInput, TicketRef, TrackerConnection } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabIssuesOptions } from './gitlab-issues.config';
import type { GitLabIssuesClient } from './gitlab-issues.client';
import type { GitLabIssue } from './gitlab-issues.types';

/** GitLab caps an issue title at 255 characters. */
const TITLE_MAX = 255;
const MARKER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The label that carries a dedupe marker (a scoped label on Premium; a plain one on Free). */
export function markerLabel(marker: string): string {
  checkMarker(marker);
  return `audit-hub::${marker}`;
}

/**
 * The description's last line that carries the marker: an HTML comment, which GitLab keeps in the
 * description and its search reads, but does not render.
 */
export function markerLine(marker: string): string {
  checkMarker(marker);
  return `<!-- audit-hub:dedupe-marker ${marker} -->`;
}

function checkMarker(marker: string): void {
  if (!MARKER.test(marker))
    throw new TypeError(
      `gitlab-issues: dedupe marker "${marker}" cannot be a label (letters, digits, ".", "_" and "-" only)`,
    );
}

const MARKER_LINE = /\n*<!-- audit-hub:dedupe-marker ([A-Za-z0-9][A-Za-z0-9._-]*) -->\s*$/;

/** The body with the marker line at its end (a marker line already there is replaced). */
export function withMarker(body: string, marker: string): string {
  const text = body.replace(MARKER_LINE, '').replace(/\s+$/, '');
  return `${text}${text ? '\n\n' : ''}${markerLine(marker)}`;
}

/** The marker a description carries on its last line, if any. */
export function markerOf(description: string | null | undefined): string | undefined {
  return MARKER_LINE.exec(description ?? '')?.[1];
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
  /** The oldest issue whose description ends with the marker's line (a search hit may only mention it). */
  async function byDescription(marker: string): Promise<GitLabIssue | undefined> {
    const hits = await client.issuesMentioning(marker);
    return hits.find((issue) => markerOf(issue.description) === marker);
  }

  /** The create's answer did not keep the marker label: found by description, or a loud failure. */
  async function confirmFindable(issue: GitLabIssue, marker: string): Promise<void> {
    const found = markerOf(issue.description) === marker ? await byDescription(marker) : undefined;
    if (found?.iid === issue.iid) return;
    throw new UpstreamError({
      connector: client.http.connector,
      method: 'POST',
      path: client.http.redact(`/api/v4/projects/${encodeURIComponent(options.project)}/issues`),
      code: 'client',
      retryable: false,
      detail:
        `issue ${ref(issue).key} was created, but GitLab kept neither its marker label ${markerLabel(marker)} ` +
        '(GitLab drops labels without an error when the token may not set or create them) nor a description ' +
        "audit-hub can find it by, so it would be filed again on every run: give the token's user the " +
        `Reporter role (or Planner) on ${options.project}, then close the duplicates`,
    });
  }

  return {
    searchConsistencyMs: 0,

    async findTicket(marker) {
      const [oldest] = await client.issuesWithLabel(markerLabel(marker), 1);
      if (oldest) return ref(oldest);
      // A ticket whose label GitLab dropped carries the marker in its description only.
      const described = await byDescription(marker);
      return described ? ref(described) : null;
    },

    async createTicket(input: TicketInput) {
      // GitLab splits `labels` on commas.
      const extra = (input.labels ?? []).map((l) => l.replace(/,/g, ' ').trim()).filter(Boolean);
      const label = markerLabel(input.marker);
      const labels = [...new Set([label, ...options.labels, ...extra])];
      const issue = await client.createIssue({
        title: title(input.title),
        description: withMarker(input.body, input.marker),
        labels,
      });
      if (!(issue.labels ?? []).includes(label)) await confirmFindable(issue, input.marker);
      return ref(issue);
    },

    async updateTicket(key, update) {
      const iid = issueIid(key);
      const fields: { title?: string; description?: string } = {};
      if (update.title !== undefined) fields.title = title(update.title);
      if (update.body !== undefined) {
        // A new body keeps the marker line of the old one: it may be all that finds the ticket.
        const marker = markerOf((await client.issue(iid)).description);
        fields.description = marker ? withMarker(update.body, marker) : update.body;
      }
      if (Object.keys(fields).length) await client.updateIssue(iid, fields);
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
