import { timingSafeEqual } from 'node:crypto';
import { basicCredentials, header, json, type FakeRequest, type FakeResponse } from './fake-http.util';

/**
 * A Jira project as the remediation tracker sees it: Cloud REST v3 (`/rest/api/3`, rich text as
 * Atlassian Document Format, the enhanced `POST /search/jql` with `nextPageToken`) and Data Center
 * REST v2 (`/rest/api/2`, plain-string rich text, `GET /search` with `startAt`), over one store.
 * Where trackers trip, it does what Jira does: labels with spaces and a string description on v3
 * are refused; the enhanced search refuses unbounded JQL; search is eventually consistent (a new
 * issue shows up only `indexDelayMs` after its creation, as Cloud's index lags, except to an
 * enhanced search that names it in `reconcileIssues`); text fields match `~` on a word; transitions
 * are workflow-bound (To Do → In Progress → Done, and "Reopen" from Done, which clears the
 * resolution); the create screen's fields are at `/issue/createmeta/{project}/issuetypes/{id}`.
 *
 * It needs the request body: the sandbox server passes it as `request.body`.
 */

export interface JiraFakeRequest extends FakeRequest {
  /** The raw request body, when there is one. */
  body?: string;
}

export type JiraFakeHandler = (request: JiraFakeRequest) => FakeResponse;

export interface JiraFakeProject {
  key: string;
  name: string;
  issueTypes: string[];
}

export interface JiraFakeComment {
  id: string;
  /** As sent: an ADF document on v3, a string on v2. */
  body: unknown;
  /** The body's text, for assertions. */
  text: string;
  created: string;
}

export interface JiraFakeIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  summary: string;
  description: unknown;
  /** The description's text, for assertions. */
  descriptionText: string;
  labels: string[];
  status: StatusName;
  /** Set by a closing transition whose screen asks for it; cleared by Reopen. */
  resolution: string | null;
  created: string;
  updated: string;
  comments: JiraFakeComment[];
}

/** What the fake holds, shared with tests so that they can look at it and break it. */
export class JiraFakeState {
  issues: JiraFakeIssue[] = [];
  /** While set, every request answers this status (a Jira outage or maintenance). */
  outage: { status: number; retryAfterSeconds?: number } | null = null;
  /** Creates that happen but whose answer is lost (the gateway answers 504 after Jira acted). */
  loseCreateAnswers = 0;
  /** `METHOD /path` of every request received, in order. */
  readonly requests: string[] = [];
  nextId = 10000;

  issue(key: string): JiraFakeIssue | undefined {
    return this.issues.find((i) => i.key === key || i.id === key);
  }
}

/** Real-instance behaviours, each off by default (docs/connectors/jira.md "On real instances"). */
export interface JiraBehaviours {
  /**
   * The project's create screen has no Labels field: a create that sets `labels` is refused whole
   * (`400 {"errors":{"labels":"Field 'labels' cannot be set. It is not on the appropriate screen,
   * or unknown."}}`), and the create metadata lists no `labels`.
   */
  labelsNotOnCreateScreen?: boolean;
  /**
   * The Done transition has a screen with the Resolution field, which Jira then requires: it is
   * listed with `expand=transitions.fields`, and the transition without `fields.resolution` answers
   * `400 {"errors":{"resolution":"Resolution is required."}}`.
   */
  resolutionRequiredOnClose?: boolean;
}

/** Switches a correct tracker copes with fully: every ticket filed once and kept in step. */
export const JIRA_TRANSPARENT_BEHAVIOURS: readonly (keyof JiraBehaviours)[] = ['resolutionRequiredOnClose'];
/**
 * Switches where something truly cannot be written: the tracker must say so (`connectors check`)
 * and still file each ticket once. `labelsNotOnCreateScreen`: tickets have no labels, and are found
 * again by the marker line of their description.
 */
export const JIRA_LOSSY_BEHAVIOURS: readonly (keyof JiraBehaviours)[] = ['labelsNotOnCreateScreen'];

const RESOLUTIONS = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: "This issue won't be actioned." },
];

export interface JiraFakeOptions {
  /** Accepted as Basic `email:token` (Cloud) or `Bearer token` (Data Center PAT). */
  email: string;
  token: string;
  now: () => Date;
  /** How long a new issue stays invisible to search (ms): Cloud's index lag. Default 0. */
  indexDelayMs?: number;
  projects?: JiraFakeProject[];
  state?: JiraFakeState;
  behaviours?: JiraBehaviours;
}

type StatusName = 'To Do' | 'In Progress' | 'Done';

const STATUSES: Record<StatusName, { id: string; category: { id: number; key: string; name: string } }> = {
  'To Do': { id: '10000', category: { id: 2, key: 'new', name: 'To Do' } },
  'In Progress': { id: '10001', category: { id: 4, key: 'indeterminate', name: 'In Progress' } },
  Done: { id: '10002', category: { id: 3, key: 'done', name: 'Done' } },
};

const TRANSITIONS: { id: string; name: string; to: StatusName; from: StatusName[] }[] = [
  { id: '11', name: 'To Do', to: 'To Do', from: ['In Progress'] },
  { id: '21', name: 'In Progress', to: 'In Progress', from: ['To Do'] },
  { id: '31', name: 'Done', to: 'Done', from: ['To Do', 'In Progress'] },
  { id: '41', name: 'Reopen', to: 'To Do', from: ['Done'] },
];

const DEFAULT_PROJECTS: JiraFakeProject[] = [{ key: 'SEC', name: 'Security', issueTypes: ['Task', 'Bug'] }];
const PAGE_SIZE = 50;

const errors = (status: number, errorMessages: string[], fieldErrors: Record<string, string> = {}) =>
  json(status, { errorMessages, errors: fieldErrors });

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorized(request: FakeRequest, email: string, token: string): boolean {
  const basic = basicCredentials(request);
  if (basic) return same(basic.user, email) && same(basic.password, token);
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  return bearer !== null && same(bearer[1].trim(), token);
}

/** The text of an ADF document (or of a v2 string). */
export function adfText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (!node || typeof node !== 'object') return '';
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === 'text') return n.text ?? '';
  if (n.type === 'hardBreak') return '\n';
  const inner = (n.content ?? []).map(adfText);
  const blockTypes = ['doc', 'bulletList', 'orderedList'];
  return inner.join(blockTypes.includes(n.type ?? '') ? '\n' : '');
}

function isAdf(value: unknown): boolean {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'doc' &&
    (value as { version?: unknown }).version === 1 &&
    Array.isArray((value as { content?: unknown }).content)
  );
}

// --- JQL: the subset trackers use (`field = value` joined by AND, an optional ORDER BY). ---

interface Jql {
  clauses: { field: string; op: '=' | '~'; value: string }[];
  order?: { field: string; desc: boolean };
}

export function parseJql(text: string): Jql | string {
  const tokens: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|=|~|[^\s=~"]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = pattern.exec(text))) {
    tokens.push(m[1]);
    consumed = pattern.lastIndex;
  }
  if (text.slice(consumed).trim()) return `Error in the JQL Query: unexpected text at position ${consumed}.`;
  const value = (t: string) => (t.startsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t);
  const jql: Jql = { clauses: [] };
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i].toUpperCase() === 'ORDER' && tokens[i + 1]?.toUpperCase() === 'BY') {
      const field = tokens[i + 2];
      const dir = tokens[i + 3]?.toUpperCase();
      if (!field) return 'Error in the JQL Query: Expecting a field name after ORDER BY.';
      jql.order = { field: field.toLowerCase(), desc: dir === 'DESC' };
      i += dir === 'ASC' || dir === 'DESC' ? 4 : 3;
      if (i < tokens.length) return `Error in the JQL Query: unexpected "${tokens[i]}" after ORDER BY.`;
      break;
    }
    if (jql.clauses.length) {
      if (tokens[i].toUpperCase() !== 'AND')
        return `Error in the JQL Query: Expecting either 'AND', 'OR' or 'ORDER BY' but got '${tokens[i]}'.`;
      i++;
    }
    const [field, op, raw] = tokens.slice(i, i + 3);
    if (!field || (op !== '=' && op !== '~') || raw === undefined)
      return `Error in the JQL Query: Expecting "field = value" at "${tokens.slice(i).join(' ')}".`;
    const name = field.toLowerCase();
    const text = ['description', 'summary', 'text'].includes(name);
    if (!['project', 'labels', 'key', 'status'].includes(name) && !text)
      return `Field '${field}' does not exist or you do not have permission to view it.`;
    if (text !== (op === '~')) return `The operator '${op}' is not supported by the '${field}' field.`;
    jql.clauses.push({ field: name, op, value: value(raw) });
    i += 3;
  }
  return jql;
}

/** `~` on a text field: every word of the term is a word of the text (Jira's index matches words, not substrings). */
function containsWords(text: string, term: string): boolean {
  const words = new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  return term
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .every((w) => words.has(w));
}

function matches(issue: JiraFakeIssue, jql: Jql): boolean {
  return jql.clauses.every(({ field, value }) => {
    if (field === 'description') return containsWords(issue.descriptionText, value);
    if (field === 'summary') return containsWords(issue.summary, value);
    if (field === 'text') return containsWords(`${issue.summary} ${issue.descriptionText}`, value);
    if (field === 'project') return issue.project.toLowerCase() === value.toLowerCase();
    if (field === 'labels') return issue.labels.includes(value);
    if (field === 'key') return issue.key.toLowerCase() === value.toLowerCase();
    return issue.status.toLowerCase() === value.toLowerCase();
  });
}

export function createJiraFake(options: JiraFakeOptions): JiraFakeHandler {
  const state = options.state ?? new JiraFakeState();
  const projects = options.projects ?? DEFAULT_PROJECTS;
  const indexDelayMs = options.indexDelayMs ?? 0;
  const behaviours = options.behaviours ?? {};
  const now = () => options.now().toISOString().replace('Z', '+0000');

  const statusView = (request: FakeRequest, version: string, name: StatusName) => ({
    self: `${request.baseUrl}/rest/api/${version}/status/${STATUSES[name].id}`,
    name,
    id: STATUSES[name].id,
    statusCategory: {
      self: `${request.baseUrl}/rest/api/${version}/statuscategory/${STATUSES[name].category.id}`,
      ...STATUSES[name].category,
    },
  });

  const issueView = (request: FakeRequest, version: string, issue: JiraFakeIssue, fields?: string[]) => {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      status: statusView(request, version, issue.status),
      labels: issue.labels,
      resolution: issue.resolution
        ? {
            ...RESOLUTIONS.find((r) => r.name === issue.resolution),
            self: `${request.baseUrl}/rest/api/${version}/resolution`,
          }
        : null,
      created: issue.created,
      updated: issue.updated,
      issuetype: { name: issue.issueType },
      project: { key: issue.project },
      description: issue.description,
      comment: {
        comments: issue.comments.map((c) => ({ id: c.id, body: c.body, created: c.created })),
        total: issue.comments.length,
      },
    };
    const wanted = fields && fields.length && !fields.includes('*all') ? fields : Object.keys(all);
    return {
      expand: '',
      id: issue.id,
      self: `${request.baseUrl}/rest/api/${version}/issue/${issue.id}`,
      key: issue.key,
      fields: Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]])),
    };
  };

  /** What search sees: every issue once the index caught up with its creation, and those it was asked to reconcile. */
  const searchable = (jql: Jql, reconcile: ReadonlySet<string> = new Set()) => {
    const at = options.now().getTime();
    const found = state.issues.filter(
      (i) =>
        (reconcile.has(i.id) || Date.parse(i.created.replace('+0000', 'Z')) + indexDelayMs <= at) &&
        matches(i, jql),
    );
    const order = jql.order;
    if (order) {
      const key = (i: JiraFakeIssue) =>
        order.field === 'key' ? Number(i.id) : i.created + i.id.padStart(10, '0');
      found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (order.desc ? -1 : 1));
    }
    return found;
  };

  const parseBody = (request: JiraFakeRequest): Record<string, unknown> | FakeResponse => {
    try {
      const body = JSON.parse(request.body ?? '');
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    return errors(400, ['Unexpected character in the request body: it is not a JSON object.']);
  };

  const isResponse = (v: unknown): v is FakeResponse =>
    !!v && typeof v === 'object' && 'status' in v && 'body' in v && 'headers' in v;

  function createIssue(request: JiraFakeRequest, version: string): FakeResponse {
    const body = parseBody(request);
    if (isResponse(body)) return body;
    const fields = (body.fields ?? {}) as Record<string, any>;
    const fieldErrors: Record<string, string> = {};
    const project = projects.find((p) => p.key === fields.project?.key || p.key === fields.project?.id);
    if (!project) fieldErrors.project = 'Specify a valid project ID or key';
    const issueType = project?.issueTypes.find((t) => t === fields.issuetype?.name);
    if (project && !issueType) fieldErrors.issuetype = 'Specify a valid issue type';
    const summary = typeof fields.summary === 'string' ? fields.summary : '';
    if (!summary.trim()) fieldErrors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) fieldErrors.summary = 'Summary must be less than 255 characters.';
    if (fields.description !== undefined) {
      if (version === '3' && !isAdf(fields.description))
        fieldErrors.description =
          'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      if (version === '2' && typeof fields.description !== 'string')
        fieldErrors.description = 'Operation value must be a string';
    }
    if (behaviours.labelsNotOnCreateScreen && 'labels' in fields)
      fieldErrors.labels = "Field 'labels' cannot be set. It is not on the appropriate screen, or unknown.";
    const labels: unknown[] = Array.isArray(fields.labels) ? fields.labels : [];
    const spaced = labels.find((l) => typeof l !== 'string' || /\s/.test(l));
    if (spaced !== undefined)
      fieldErrors.labels = `The label '${String(spaced)}' contains spaces which is invalid.`;
    if (Object.keys(fieldErrors).length) return errors(400, [], fieldErrors);

    const id = String(state.nextId++);
    const sameProject = state.issues.filter((i) => i.project === project!.key).length;
    const issue: JiraFakeIssue = {
      id,
      key: `${project!.key}-${sameProject + 1}`,
      project: project!.key,
      issueType: issueType!,
      summary,
      description: fields.description ?? null,
      descriptionText: adfText(fields.description),
      labels: labels as string[],
      status: 'To Do',
      resolution: null,
      created: now(),
      updated: now(),
      comments: [],
    };
    state.issues.push(issue);
    if (state.loseCreateAnswers > 0) {
      state.loseCreateAnswers--;
      return errors(504, ['Gateway Timeout']);
    }
    return json(201, { id, key: issue.key, self: `${request.baseUrl}/rest/api/${version}/issue/${id}` });
  }

  function search(request: JiraFakeRequest, version: string, enhanced: boolean): FakeResponse {
    let jqlText: string;
    let fields: string[] | undefined;
    let max = PAGE_SIZE;
    let offset = 0;
    let reconcile = new Set<string>();
    if (enhanced) {
      const body = parseBody(request);
      if (isResponse(body)) return body;
      // The enhanced search has no offset: `startAt` is refused as an invalid payload.
      if ('startAt' in body)
        return errors(400, ['Invalid request payload. Refer to the REST API documentation and try again.']);
      jqlText = String(body.jql ?? '');
      fields = Array.isArray(body.fields) ? (body.fields as string[]) : undefined;
      // Read-after-write for up to 50 issues the caller names (developer.atlassian.com "Search and reconcile").
      if (body.reconcileIssues !== undefined) {
        if (!Array.isArray(body.reconcileIssues) || body.reconcileIssues.length > 50)
          return errors(400, ['reconcileIssues must be a list of at most 50 issue ids.']);
        reconcile = new Set(body.reconcileIssues.map(String));
      }
      max = Math.min(Number(body.maxResults ?? PAGE_SIZE) || PAGE_SIZE, 5000);
      offset = body.nextPageToken
        ? Number(Buffer.from(String(body.nextPageToken), 'base64').toString('utf8'))
        : 0;
      if (!Number.isInteger(offset) || offset < 0)
        return errors(400, ['The provided next page token is invalid.']);
    } else {
      jqlText = request.query.get('jql') ?? '';
      fields = request.query.get('fields')?.split(',').filter(Boolean);
      max = Math.min(Number(request.query.get('maxResults') ?? PAGE_SIZE) || PAGE_SIZE, 1000);
      offset = Number(request.query.get('startAt') ?? 0) || 0;
    }
    const jql = parseJql(jqlText);
    if (typeof jql === 'string') return errors(400, [jql]);
    if (enhanced && !jql.clauses.length)
      return errors(400, [
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      ]);
    const found = searchable(jql, reconcile);
    const page = found.slice(offset, offset + max).map((i) => issueView(request, version, i, fields));
    if (enhanced) {
      const more = offset + max < found.length;
      return json(200, {
        issues: page,
        ...(more ? { nextPageToken: Buffer.from(String(offset + max)).toString('base64') } : {}),
        isLast: !more,
      });
    }
    return json(200, {
      expand: 'names,schema',
      startAt: offset,
      maxResults: max,
      total: found.length,
      issues: page,
    });
  }

  return (request: JiraFakeRequest): FakeResponse => {
    state.requests.push(`${request.method} ${request.path}`);
    if (state.outage) {
      const headers: Record<string, string> = state.outage.retryAfterSeconds
        ? { 'retry-after': String(state.outage.retryAfterSeconds) }
        : {};
      const response = errors(state.outage.status, ['Jira is unavailable right now. Try again later.']);
      return { ...response, headers: { ...response.headers, ...headers } };
    }
    if (!authorized(request, options.email, options.token))
      return errors(401, ['You are not authenticated. Authentication required to perform this operation.']);

    const m = /^\/rest\/api\/(2|3)(\/.*)$/.exec(request.path);
    if (!m) return errors(404, ['null for uri: ' + request.path]);
    const [, version, rest] = m;
    const method = request.method.toUpperCase();
    const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);

    if (method === 'GET' && rest === '/myself')
      return json(200, {
        accountId: '5b10a2844c20165700ede21g',
        displayName: 'audit-hub',
        emailAddress: options.email,
        active: true,
      });
    if (method === 'GET' && parts[0] === 'project' && parts.length === 2) {
      const project = projects.find((p) => p.key === parts[1]);
      if (!project) return errors(404, [`No project could be found with key '${parts[1]}'.`]);
      return json(200, {
        key: project.key,
        name: project.name,
        issueTypes: project.issueTypes.map((name, i) => ({ id: String(i + 1), name })),
      });
    }
    if (method === 'POST' && rest === '/issue') return createIssue(request, version);
    if (method === 'GET' && parts[0] === 'issue' && parts[1] === 'createmeta' && parts[3] === 'issuetypes') {
      const project = projects.find((p) => p.key === parts[2]);
      const type = project?.issueTypes[Number(parts[4]) - 1];
      if (!project || !type) return errors(404, ['Issue type with id ' + parts[4] + ' does not exist.']);
      const meta = (fieldId: string, name: string, required: boolean, hasDefaultValue = false) => ({
        required,
        schema: { type: fieldId === 'labels' ? 'array' : 'string', system: fieldId },
        name,
        key: fieldId,
        fieldId,
        hasDefaultValue,
        operations: ['set'],
      });
      const list = [
        meta('summary', 'Summary', true),
        meta('issuetype', 'Issue Type', true),
        meta('project', 'Project', true),
        meta('description', 'Description', false),
        ...(behaviours.labelsNotOnCreateScreen ? [] : [meta('labels', 'Labels', false)]),
        meta('reporter', 'Reporter', true, true),
      ];
      const page = { startAt: 0, maxResults: 50, total: list.length };
      return json(200, version === '3' ? { ...page, fields: list } : { ...page, isLast: true, values: list });
    }
    if (rest === '/search/jql' && method === 'POST' && version === '3') return search(request, version, true);
    if (rest === '/search' && method === 'GET') return search(request, version, false);

    if (parts[0] === 'issue' && parts.length >= 2) {
      const issue = state.issue(parts[1]);
      if (!issue) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
      const sub = parts[2];
      if (!sub && method === 'GET')
        return json(200, issueView(request, version, issue, request.query.get('fields')?.split(',')));
      if (!sub && method === 'PUT') {
        const body = parseBody(request);
        if (isResponse(body)) return body;
        const fields = (body.fields ?? {}) as Record<string, unknown>;
        if (typeof fields.summary === 'string') issue.summary = fields.summary;
        if (fields.description !== undefined) {
          if (version === '3' && !isAdf(fields.description))
            return errors(400, [], { description: 'Operation value must be an Atlassian Document' });
          issue.description = fields.description;
          issue.descriptionText = adfText(fields.description);
        }
        issue.updated = now();
        return { status: 204, headers: {}, body: '' };
      }
      if (sub === 'comment' && method === 'POST') {
        const body = parseBody(request);
        if (isResponse(body)) return body;
        if (version === '3' ? !isAdf(body.body) : typeof body.body !== 'string')
          return errors(400, [], {
            comment:
              version === '3'
                ? 'Comment body must be an Atlassian Document'
                : 'Comment body can not be empty!',
          });
        const comment: JiraFakeComment = {
          id: String(state.nextId++),
          body: body.body,
          text: adfText(body.body),
          created: now(),
        };
        issue.comments.push(comment);
        issue.updated = now();
        return json(201, {
          id: comment.id,
          self: `${request.baseUrl}/rest/api/${version}/issue/${issue.id}/comment/${comment.id}`,
          body: comment.body,
          created: comment.created,
        });
      }
      if (sub === 'transitions' && method === 'GET') {
        const expand = (request.query.get('expand') ?? '').split(',').includes('transitions.fields');
        return json(200, {
          expand: 'transitions',
          transitions: TRANSITIONS.filter((t) => t.from.includes(issue.status)).map((t) => {
            const screen = behaviours.resolutionRequiredOnClose && t.to === 'Done';
            return {
              id: t.id,
              name: t.name,
              to: statusView(request, version, t.to),
              hasScreen: screen,
              isGlobal: false,
              isInitial: false,
              isAvailable: true,
              isConditional: false,
              ...(expand
                ? {
                    fields: screen
                      ? {
                          resolution: {
                            required: true,
                            schema: { type: 'resolution', system: 'resolution' },
                            name: 'Resolution',
                            key: 'resolution',
                            hasDefaultValue: false,
                            operations: ['set'],
                            allowedValues: RESOLUTIONS.map((r) => ({
                              ...r,
                              self: `${request.baseUrl}/rest/api/${version}/resolution/${r.id}`,
                            })),
                          },
                        }
                      : {},
                  }
                : {}),
            };
          }),
        });
      }
      if (sub === 'transitions' && method === 'POST') {
        const body = parseBody(request);
        if (isResponse(body)) return body;
        const id = String((body.transition as { id?: unknown } | undefined)?.id ?? '');
        const transition = TRANSITIONS.find((t) => t.id === id && t.from.includes(issue.status));
        if (!transition) return errors(400, [`Transition id '${id}' is not valid for this issue.`]);
        const screen = behaviours.resolutionRequiredOnClose && transition.to === 'Done';
        const given = (body.fields as { resolution?: { name?: unknown; id?: unknown } } | undefined)
          ?.resolution;
        if (given !== undefined && !screen)
          return errors(400, [], {
            resolution: "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.",
          });
        if (screen) {
          const resolution = RESOLUTIONS.find((r) => r.name === given?.name || r.id === given?.id);
          if (!resolution) return errors(400, [], { resolution: 'Resolution is required.' });
          issue.resolution = resolution.name;
        }
        if (transition.to !== 'Done') issue.resolution = null;
        issue.status = transition.to;
        issue.updated = now();
        return { status: 204, headers: {}, body: '' };
      }
    }
    return errors(404, ['null for uri: ' + request.path]);
  };
}
