/**
 * Jira as a remediation tracker. Jira takes no idempotency key, so every ticket carries the
 * finding's dedupe marker as a label (`audit-hub-<marker>`) and as the last line of its
 * description, and the hub searches for it before it creates anything.
 *
 * What real sites do to that marker, and how the tracker holds on to it:
 *
 * - The Labels field may be missing from the project's create screen: Jira then refuses the whole
 *   create (`400 {"errors":{"labels":"Field 'labels' cannot be set. It is not on the appropriate
 *   screen, or unknown."}}`). The tracker creates the issue again without labels; it is found by
 *   the marker line of its description.
 * - After a create, the tracker reads the issue back (`GET /issue/{key}`, never stale) and checks
 *   what Jira stored: an issue that neither holds the label nor the marker line (an automation
 *   rule, a post function), or that the token may not even see (issue security), could never be
 *   found again, so the create fails loudly, naming the fix.
 * - On Cloud the search is eventually consistent (developer.atlassian.com "Search and reconcile":
 *   a write shows in `/search/jql` from a few seconds to minutes later; `reconcileIssues` only
 *   helps for issue ids one already knows, which a lost create answer is not).
 *   `searchConsistencyMs` tells the hub how long to wait before trusting a miss after a create
 *   whose answer was lost; a create whose answer arrived is recorded by its key and never searched.
 * - Closing goes through a workflow transition, which may have a screen whose Resolution must be
 *   set (Jira refuses the transition without it): the tracker reads the screen's fields
 *   (`expand=transitions.fields`) and sets `options.closeResolution`; any other required field it
 *   cannot fill is named in the error, with the option to change.
 */
import { isUpstreamError, UpstreamError } from '@audit-hub/http';
import type { TicketInput, TicketRef, TrackerConnection } from '@audit-hub/plugin-sdk';
import { documentText, toAdf, toWiki } from './jira-document.format';
import type { ResolvedJiraOptions } from './jira.config';
import type { JiraClient } from './jira.client';
import type { JiraFieldMeta, JiraIssue, JiraStatus, JiraTransition } from './jira.types';

/** Jira caps `summary` at 255 characters. */
const SUMMARY_MAX = 255;
const MARKER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The label that carries a dedupe marker; markers are single words, as Jira labels must be. */
export function markerLabel(marker: string): string {
  checkMarker(marker);
  return `audit-hub-${marker}`;
}

/** The description's last line that carries the marker (Jira's text search finds the marker word in it). */
export function markerLine(marker: string): string {
  checkMarker(marker);
  return `audit-hub dedupe marker: ${marker}`;
}

function checkMarker(marker: string): void {
  if (!MARKER.test(marker))
    throw new TypeError(
      `jira: dedupe marker "${marker}" cannot be a label (letters, digits, ".", "_" and "-" only)`,
    );
}

/** The marker a description's text carries on its last line, if any. */
export function markerOf(text: string): string | undefined {
  return /audit-hub dedupe marker: ([A-Za-z0-9][A-Za-z0-9._-]*)\s*$/.exec(text)?.[1];
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

/** The body with the marker line after it. */
function withMarker(body: string, marker: string): string {
  const text = body.replace(/\s+$/, '');
  return `${text}${text ? '\n\n' : ''}${markerLine(marker)}`;
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
  const issuePath = (key: string) => client.api(`/issue/${key}`);

  /** A refusal that no retry helps: Jira's words, and what to change. */
  function refused(method: string, path: string, detail: string): UpstreamError {
    return new UpstreamError({
      connector: client.http.connector,
      method,
      path: client.http.redact(path),
      code: 'client',
      retryable: false,
      detail: client.http.redact(detail),
    });
  }

  /** Picks the transition by name, else by target status name, else by target status category. */
  async function transitionTo(
    key: string,
    names: string[],
    category: string,
    option: string,
    resolution?: string,
  ): Promise<void> {
    const available = await client.transitions(key);
    const lower = names.map((n) => n.toLowerCase());
    const pick =
      lower.map((n) => available.find((t) => t.name?.toLowerCase() === n)).find(Boolean) ??
      lower.map((n) => available.find((t) => t.to?.name?.toLowerCase() === n)).find(Boolean) ??
      available.find((t) => t.to?.statusCategory?.key === category);
    if (!pick) throw noTransition(key, names, available, option);
    await client.transition(key, pick.id, screenFields(key, pick, option, resolution));
  }

  /**
   * What the transition's screen needs: its Resolution (when closing), from `closeResolution`, else
   * the first one offered; a required field without a default that the tracker cannot fill makes
   * it fail with the field's name, never a transition Jira refuses in words of its own.
   */
  function screenFields(
    key: string,
    transition: JiraTransition,
    option: string,
    resolution: string | undefined,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const [id, meta] of Object.entries(transition.fields ?? {})) {
      if (id === 'resolution' && resolution !== undefined) {
        out.resolution = { name: pickResolution(meta, resolution) };
        continue;
      }
      if (meta.required && !meta.hasDefaultValue) missing.push(meta.name ?? id);
    }
    if (missing.length)
      throw refused(
        'POST',
        `${issuePath(key)}/transitions`,
        `transition "${transition.name}" of issue ${key} requires ${missing.map((m) => `"${m}"`).join(', ')}, which audit-hub cannot fill; set options.${option} to a transition without them, or give them a default on its screen`,
      );
    return out;
  }

  function pickResolution(meta: JiraFieldMeta, wanted: string): string {
    const names = (meta.allowedValues ?? []).map((v) => v.name).filter((n): n is string => !!n);
    return names.find((n) => n.toLowerCase() === wanted.toLowerCase()) ?? names[0] ?? wanted;
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
    return refused(
      'POST',
      `${issuePath(key)}/transitions`,
      `issue ${key} offers no transition ${names.map((n) => `"${n}"`).join(' or ')} (available: ${offered}); set options.${option} to one of them`,
    );
  }

  /** The oldest issue whose description ends with the marker line (Jira's text search is fuzzy: checked here). */
  async function byDescription(marker: string): Promise<JiraIssue | undefined> {
    const jql = `project = ${jqlString(options.project)} AND description ~ ${jqlString(marker)} ORDER BY created ASC`;
    for await (const issue of client.search(jql, ['description']))
      if (markerOf(documentText(issue.fields?.description)) === marker) return issue;
    return undefined;
  }

  /** Reads the created issue back: it must hold the marker where findTicket looks, or the create fails loudly. */
  async function confirmStored(key: string, marker: string, labelled: boolean): Promise<void> {
    let issue: JiraIssue;
    try {
      issue = await client.issue(key, ['labels', 'description']);
    } catch (err) {
      if (!(isUpstreamError(err) && err.status === 404)) throw err;
      throw refused(
        'GET',
        issuePath(key),
        `issue ${key} was created, but these credentials may not see it (an issue security level?), so audit-hub could never find it again and would file it on every run: let the account browse the issues it creates in ${options.project}, then close the duplicates`,
      );
    }
    const hasLabel = (issue.fields?.labels ?? []).includes(markerLabel(marker));
    if (hasLabel || markerOf(documentText(issue.fields?.description)) === marker) return;
    throw refused(
      'POST',
      client.api('/issue'),
      `issue ${key} was created, but Jira kept neither its marker label ${markerLabel(marker)}${labelled ? '' : ' (the Labels field is not on the create screen)'} nor its description's marker line (an automation rule or a workflow post function changed them?), so audit-hub would file it again on every run: keep both as audit-hub sets them, then close the duplicates`,
    );
  }

  return {
    searchConsistencyMs: options.searchConsistencyMs,

    async findTicket(marker) {
      // Oldest first: should a duplicate ever exist, every run keeps following the same issue.
      const jql = `project = ${jqlString(options.project)} AND labels = ${jqlString(markerLabel(marker))} ORDER BY created ASC`;
      const issue = (await client.first(jql)) ?? (await byDescription(marker));
      return issue ? ref(issue, stateOf(issue)) : null;
    },

    async createTicket(input: TicketInput) {
      const labels = [
        ...new Set([markerLabel(input.marker), ...options.labels, ...(input.labels ?? []).map(label)]),
      ].filter(Boolean);
      const fields: Record<string, unknown> = {
        project: { key: options.project },
        issuetype: { name: options.issueType },
        summary: summary(input.title),
        description: text(withMarker(input.body, input.marker)),
      };
      let answer = await client.createIssue({ ...fields, labels });
      let labelled = true;
      if ('refused' in answer && answer.refused.errors?.labels !== undefined) {
        // The create screen has no Labels field: nothing was created, so creating again is safe.
        answer = await client.createIssue(fields);
        labelled = false;
      }
      if ('refused' in answer) throw client.refusal('POST', client.api('/issue'), answer.refused);
      await confirmStored(answer.created.key, input.marker, labelled);
      return ref(answer.created, 'open');
    },

    async updateTicket(key, update) {
      const fields: Record<string, unknown> = {};
      if (update.title !== undefined) fields.summary = summary(update.title);
      if (update.body !== undefined) {
        // A new description keeps the marker line: it may be all that finds the ticket.
        const current = await client.issue(key, ['description']);
        const marker = markerOf(documentText(current.fields?.description));
        fields.description = text(marker ? withMarker(update.body, marker) : update.body);
      }
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
      await transitionTo(key, options.closeTransitions, 'done', 'closeTransition', options.closeResolution);
    },

    async reopenTicket(key, comment) {
      const issue = await client.issue(key, ['status']);
      if (isDone(issue.fields?.status))
        await transitionTo(key, options.reopenTransitions, 'new', 'reopenTransition');
      if (comment) await client.addComment(key, text(comment));
    },
  };
}
