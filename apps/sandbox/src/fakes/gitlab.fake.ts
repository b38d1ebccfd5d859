import { timingSafeEqual } from 'node:crypto';
import { EstateIndex } from '../estate/estate.index';
import type { Deployment, Estate, MergeRequest, Service } from '../estate/estate.model';
import {
  header,
  json,
  linkTo,
  rawJson,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from './fake-http.util';
import {
  approvalsView,
  commitView,
  currentUserView,
  groupMemberView,
  deploymentDetailView,
  deploymentStateAt,
  deploymentUpdatedAt,
  deploymentView,
  environmentView,
  groupView,
  mergeRequestView,
  pipelineBasicView,
  pipelineVariablesView,
  pipelineView,
  projectView,
  signatureBody,
  testReportSummaryView,
  type GitlabView,
} from './gitlab.views';
import {
  communityApprovals,
  communityDeployment,
  eeSignatureStatus,
  metadataView,
  rewritePeople,
} from './gitlab-instance.behaviours';

/**
 * A GitLab REST v4 instance over the estate, mounted at `/api/v4` below its base URL. It behaves the
 * way the real one does where connectors trip: offset paging with X-Next-Page empty on the last page
 * and no X-Total / X-Total-Pages / rel="last" above 10,000 rows; `updated_after` only with
 * `order_by=updated_at` (inclusive bounds); MRs linked to a deployment only once it succeeded;
 * `{ "error": … }` for unknown routes but `{ "message": … }` for missing resources.
 */

/**
 * Real-instance behaviours, each off by default (docs/connectors/gitlab.md "On real instances").
 */
export interface GitlabBehaviours {
  /**
   * The token's user is a Reporter: `GET /projects/:id/pipelines/:id/variables` answers
   * `403 {"message":"403 Forbidden"}` for every pipeline. GitLab grants `read_pipeline_variable`
   * only with `admin_pipeline` (Maintainer) or to a triggerer who may update the pipeline
   * (app/policies/ci/pipeline_policy.rb; lib/api/ci/pipelines.rb `authorize! :read_pipeline_variable`).
   */
  variablesNeedMaintainer?: boolean;
  /**
   * `GET /deployments/:id/merge_requests` is filled by a Sidekiq job queued when the deployment
   * succeeds (Deployment state machine `after_transition any => :success` →
   * Deployments::LinkMergeRequestWorker): it answers `[]` until each deployment's list has been
   * read twice and until 10 minutes after the deployment finished.
   */
  mergeRequestsFilledLate?: boolean;
  /**
   * GitLab links no MR to a deployment of an environment in a folder (`review/*`,
   * `production/eu`): LinkMergeRequestsService returns when `environment.environment_type` is set
   * (app/models/environment.rb `set_environment_type`). Here: every production-tier environment's
   * deployments answer `[]`.
   */
  mergeRequestsSkipped?: boolean;
  /**
   * A deployment with no earlier successful one to its environment links every MR merged into its
   * ref by then (LinkMergeRequestsService#link_all_merged_merge_requests, `by_target_branch`): all
   * of `main`'s history, none for a tag.
   */
  firstDeploymentLinksAllMerged?: boolean;
  /**
   * Deployments are updated while a client pages them: after serving a deployments page that has a
   * next one, the fake bumps the `updated_at` of that page's first deployment to `now` (once per
   * deployment), as a status change or an archive would, so it moves to the end of the
   * `order_by=updated_at` list (offset-paged only: lib/api/deployments.rb `paginate`).
   */
  rowsMoveWhilePaging?: boolean;
  /**
   * Deleted users: GitLab hands their MRs, notes, pipelines and jobs to the shared ghost user
   * (Users::MigrateRecordsToGhostUserService; lib/users/internal.rb `Users::Internal.ghost`:
   * username `ghost`, name `Ghost User`). Here the leavers are deleted from the day they left, and
   * one developer with merge requests whom no planted case names (gitlab-instance.behaviours.ts
   * `deletedUserNames`): each user body of theirs is the ghost's, and they are gone from member lists.
   */
  ghostUsers?: boolean;
  /**
   * E-mails hidden: user bodies never show another user's `email` and `public_email` is empty
   * (lib/api/entities/user.rb), and people who keep their e-mail private commit with GitLab's
   * private commit e-mail `<id>-<username>@users.noreply.<host>` (lib/gitlab/private_commit_email.rb).
   * Here every third person does.
   */
  hiddenEmails?: boolean;
  /**
   * Community Edition: `/metadata` says `enterprise: false`; the Premium endpoints have no route
   * (`/protected_environments` answers the catch-all `404 {"error":"404 Not Found"}`, lib/api/api.rb);
   * a single deployment has no `approvals`; MR `/approvals` is the CE entity, without approval
   * rules (lib/api/entities/merge_request_approvals.rb).
   */
  communityEdition?: boolean;
  /**
   * Signature statuses beyond `verified` / `verified_system` / `unverified`: a verified X.509
   * signature is EE's `verified_ca`, an unverified one says why (`unknown_key`, `other_user`, …;
   * app/models/concerns/enums/commit_signature.rb and its EE extension).
   */
  eeSignatureStatuses?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const GITLAB_TRANSPARENT_BEHAVIOURS: readonly (keyof GitlabBehaviours)[] = [
  'mergeRequestsFilledLate',
  'mergeRequestsSkipped',
  'firstDeploymentLinksAllMerged',
  'rowsMoveWhilePaging',
  // A verified signature passes and a failing one fails whatever status names it.
  'eeSignatureStatuses',
];
/** Switches where data truly cannot be read: the connector must say so, never read "none". */
export const GITLAB_LOSSY_BEHAVIOURS: readonly (keyof GitlabBehaviours)[] = [
  'variablesNeedMaintainer',
  // Who a deleted user was is gone: the ghost is nobody in particular.
  'ghostUsers',
  // A private commit e-mail resolves to no identity source's e-mail (until the core reads the
  // user name in it): the deployed commit's author is not known as a person.
  'hiddenEmails',
  // Deployment approvals, protected environments and approval rules do not exist: unknown.
  'communityEdition',
];

/** How long after a deployment finished `mergeRequestsFilledLate` keeps its MR list empty. */
export const MERGE_REQUESTS_LINKED_AFTER_MS = 10 * 60_000;
/** Reads of a deployment's MR list that `mergeRequestsFilledLate` answers empty. */
export const MERGE_REQUESTS_EMPTY_READS = 2;

export interface GitlabFakeOptions {
  estate: () => Estate;
  /** Accepted as `PRIVATE-TOKEN` or `Authorization: Bearer`. */
  token: string;
  now: () => Date;
  /** The account the token belongs to (GitLab `/user`). */
  userName: string;
  behaviours?: GitlabBehaviours;
}

/** What the behaviours remember across requests (reads of MR lists, deployments bumped). */
interface BehaviourState {
  behaviours: GitlabBehaviours;
  mergeRequestReads: Map<number, number>;
  bumped: Map<number, string>;
}

/** GitLab stops counting above this many rows (no X-Total, X-Total-Pages or rel="last"). */
export const GITLAB_COUNT_LIMIT = 10_000;
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const API = '/api/v4';

interface Ctx {
  request: FakeRequest;
  view: GitlabView;
  params: string[];
  state: BehaviourState;
}

type Route = { pattern: string[]; handle: (ctx: Ctx) => FakeResponse };

const notFoundRoute = (): FakeResponse => json(404, { error: '404 Not Found' });
const notFound = (what: string): FakeResponse => json(404, { message: `404 ${what}` });
const badParam = (name: string, problem = 'does not have a valid value'): FakeResponse =>
  json(400, { error: `${name} ${problem}` });

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorized(request: FakeRequest, token: string): boolean {
  const privateToken = header(request, 'private-token');
  if (privateToken !== undefined) return sameSecret(privateToken, token);
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  return bearer !== null && sameSecret(bearer[1].trim(), token);
}

/** Offset paging with GitLab's headers; the Link URLs repeat the request's own query. */
export function paginate<T>(request: FakeRequest, rows: T[], render: (row: T) => unknown): FakeResponse {
  const requestedPage = Number.parseInt(request.query.get('page') ?? '', 10);
  const requestedPerPage = Number.parseInt(request.query.get('per_page') ?? '', 10);
  const page = Number.isFinite(requestedPage) && requestedPage > 0 ? requestedPage : 1;
  const perPage =
    Number.isFinite(requestedPerPage) && requestedPerPage > 0
      ? Math.min(requestedPerPage, MAX_PER_PAGE)
      : DEFAULT_PER_PAGE;
  const total = rows.length;
  const counted = total <= GITLAB_COUNT_LIMIT;
  const totalPages = Math.ceil(total / perPage);
  const hasNext = page * perPage < total;
  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': hasNext ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
  };
  if (counted) {
    headers['x-total'] = String(total);
    headers['x-total-pages'] = String(totalPages);
  }
  const link = (p: number) => linkTo(request, { page: String(p), per_page: String(perPage) });
  const links: string[] = [];
  if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
  if (hasNext) links.push(`<${link(page + 1)}>; rel="next"`);
  links.push(`<${link(1)}>; rel="first"`);
  if (counted) links.push(`<${link(Math.max(totalPages, 1))}>; rel="last"`);
  headers.link = links.join(', ');
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  return json(200, slice.map(render), headers);
}

function flag(request: FakeRequest, name: string): boolean | undefined {
  const value = request.query.get(name);
  if (value === null || value === '') return undefined;
  return value === 'true' || value === '1';
}

function parseTime(request: FakeRequest, name: string): { value?: string; error?: FakeResponse } {
  const raw = request.query.get(name);
  if (raw === null || raw === '') return {};
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) return { error: badParam(name, 'is invalid') };
  return { value: new Date(ms).toISOString() };
}

function project(ctx: Ctx, id: string): Service | undefined {
  const { index, now } = ctx.view;
  const service = /^\d+$/.test(id)
    ? index.servicesById.get(Number(id))
    : index.servicesByPath.get(id.toLowerCase());
  return service && service.createdAt <= now ? service : undefined;
}

function withProject(handle: (ctx: Ctx, service: Service) => FakeResponse) {
  return (ctx: Ctx) => {
    const service = project(ctx, ctx.params[0]);
    return service ? handle(ctx, service) : notFound('Project Not Found');
  };
}

function visibleDeployment(ctx: Ctx, service: Service, id: string): Deployment | undefined {
  const d = /^\d+$/.test(id) ? ctx.view.index.deploymentsById.get(Number(id)) : undefined;
  return d && d.service === service.name && d.createdAt <= ctx.view.now ? d : undefined;
}

function visibleMergeRequest(ctx: Ctx, service: Service, iid: string): MergeRequest | undefined {
  const mr = /^\d+$/.test(iid) ? ctx.view.index.mergeRequest(service.name, Number(iid)) : undefined;
  return mr && mr.createdAt <= ctx.view.now ? mr : undefined;
}

function sortBy<T>(rows: T[], keys: ((row: T) => string | number)[], desc: boolean): T[] {
  const dir = desc ? -1 : 1;
  return rows.sort((a, b) => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x < y) return -dir;
      if (x > y) return dir;
    }
    return 0;
  });
}

const DEPLOYMENT_ORDER = ['id', 'iid', 'created_at', 'updated_at', 'finished_at'];
const DEPLOYMENT_STATUSES = ['created', 'running', 'success', 'failed', 'canceled', 'skipped', 'blocked'];
const FINISHED_STATUSES = ['success', 'failed', 'canceled'];

/** `GET /projects/:id/deployments`, with the DeploymentsFinder's validations and orderings. */
function listDeployments(ctx: Ctx, service: Service): FakeResponse {
  const { request, view } = ctx;
  const orderBy = request.query.get('order_by') ?? 'id';
  if (!DEPLOYMENT_ORDER.includes(orderBy)) return badParam('order_by');
  const sort = request.query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return badParam('sort');
  const status = request.query.get('status');
  if (status !== null && !DEPLOYMENT_STATUSES.includes(status)) return badParam('status');
  const after = parseTime(request, 'updated_after');
  const before = parseTime(request, 'updated_before');
  if (after.error) return after.error;
  if (before.error) return before.error;
  if ((after.value || before.value) && orderBy !== 'updated_at') {
    return json(400, { message: '400 Bad request - `updated_at` filter requires `updated_at` sort' });
  }
  if (orderBy === 'finished_at' && !(status && FINISHED_STATUSES.includes(status))) {
    return json(400, {
      message:
        '400 Bad request - `finished_at` sort requires `finished_at` filter or a filter with at least one of the finished statuses.',
    });
  }
  const environment = request.query.get('environment');
  const rows = (view.index.deploymentsByService.get(service.name) ?? [])
    .filter((d) => d.createdAt <= view.now)
    .map((d) => ({
      d,
      state: { ...deploymentStateAt(d, view.now), updatedAt: deploymentUpdatedAt(view, d) },
    }))
    .filter(
      ({ d, state }) =>
        (environment === null || d.environment === environment) &&
        (status === null || state.status === status) &&
        // GitLab's updated_after / updated_before are inclusive (>= / <=).
        (!after.value || state.updatedAt >= after.value) &&
        (!before.value || state.updatedAt <= before.value),
    );
  const keys =
    orderBy === 'updated_at'
      ? [(r: (typeof rows)[number]) => r.state.updatedAt, (r: (typeof rows)[number]) => r.d.id]
      : orderBy === 'finished_at'
        ? [(r: (typeof rows)[number]) => r.state.finishedAt ?? '', (r: (typeof rows)[number]) => r.d.id]
        : [(r: (typeof rows)[number]) => r.d.id];
  sortBy(rows, keys, sort === 'desc');
  const response = paginate(request, rows, (r) => deploymentView(view, r.d));
  if (ctx.state.behaviours.rowsMoveWhilePaging && response.headers['x-next-page'] !== '') {
    // The page's first deployment is updated before the client asks for the next page.
    const served = JSON.parse(response.body) as { id: number; updated_at: string }[];
    const first = served.find((d) => !ctx.state.bumped.has(d.id) && d.updated_at < view.now);
    if (first) ctx.state.bumped.set(first.id, view.now);
  }
  return response;
}

/** MRs GitLab linked to a deployment: those merged since the previous success, once it succeeded. */
function shippedMergeRequests(ctx: Ctx, service: Service): FakeResponse {
  const d = visibleDeployment(ctx, service, ctx.params[1]);
  if (!d) return notFound('Not found');
  const { view, state } = ctx;
  const reads = (state.mergeRequestReads.get(d.id) ?? 0) + 1;
  state.mergeRequestReads.set(d.id, reads);
  const filled =
    deploymentStateAt(d, view.now).status === 'success' &&
    !(
      state.behaviours.mergeRequestsFilledLate &&
      (reads <= MERGE_REQUESTS_EMPTY_READS ||
        Date.parse(view.now) < Date.parse(d.finishedAt) + MERGE_REQUESTS_LINKED_AFTER_MS)
    ) &&
    !(
      state.behaviours.mergeRequestsSkipped &&
      view.index.environmentsById.get(d.environmentId)?.tier === 'production'
    );
  const mrs = filled ? linkedMergeRequests(view, d, state.behaviours) : [];
  sortBy(mrs, [(m) => m.createdAt, (m) => m.id], true);
  return paginate(ctx.request, mrs, (m) => mergeRequestView(ctx.view, m));
}

/**
 * The MRs the link job recorded for a successful deployment: the estate's (merged since the
 * previous success to the environment); with `firstDeploymentLinksAllMerged`, for a deployment
 * with no earlier success there, every MR merged into its ref by the time it finished.
 */
function linkedMergeRequests(view: GitlabView, d: Deployment, behaviours: GitlabBehaviours): MergeRequest[] {
  const first = !(view.index.deploymentsByService.get(d.service) ?? []).some(
    (p) => p.environmentId === d.environmentId && p.status === 'success' && p.id < d.id,
  );
  if (behaviours.firstDeploymentLinksAllMerged && first) {
    return view.estate.mergeRequests.filter(
      (m) =>
        m.service === d.service && m.targetBranch === d.ref && !!m.mergedAt && m.mergedAt <= d.finishedAt,
    );
  }
  return d.mergeRequestIids
    .map((iid) => view.index.mergeRequest(d.service, iid))
    .filter((m) => m !== undefined);
}

function listMergeRequests(ctx: Ctx, service: Service): FakeResponse {
  const { request, view } = ctx;
  const state = request.query.get('state') ?? 'all';
  if (!['opened', 'closed', 'merged', 'all', 'locked'].includes(state)) return badParam('state');
  const orderBy = request.query.get('order_by') ?? 'created_at';
  if (!['created_at', 'updated_at', 'merged_at', 'title'].includes(orderBy)) return badParam('order_by');
  const sort = request.query.get('sort') ?? 'desc';
  if (sort !== 'asc' && sort !== 'desc') return badParam('sort');
  const after = parseTime(request, 'updated_after');
  const before = parseTime(request, 'updated_before');
  if (after.error) return after.error;
  if (before.error) return before.error;
  const rendered = view.estate.mergeRequests
    .filter((m) => m.service === service.name && m.createdAt <= view.now)
    .map((m) => ({ m, v: mergeRequestView(view, m) }))
    .filter(
      ({ v }) =>
        (state === 'all' || v.state === state) &&
        (!after.value || v.updated_at >= after.value) &&
        (!before.value || v.updated_at <= before.value),
    );
  const key =
    orderBy === 'title'
      ? (r: (typeof rendered)[number]) => r.v.title
      : orderBy === 'merged_at'
        ? (r: (typeof rendered)[number]) => r.v.merged_at ?? ''
        : orderBy === 'updated_at'
          ? (r: (typeof rendered)[number]) => r.v.updated_at
          : (r: (typeof rendered)[number]) => r.v.created_at;
  sortBy(rendered, [key, (r) => r.m.id], sort === 'desc');
  return paginate(request, rendered, (r) => r.v);
}

function findCommit(ctx: Ctx, service: Service, sha: string) {
  const { index, now } = ctx.view;
  let commit = index.commitsBySha.get(sha);
  if (!commit && /^[0-9a-f]{7,39}$/.test(sha)) {
    commit = ctx.view.estate.commits.find((c) => c.service === service.name && c.sha.startsWith(sha));
  }
  return commit && commit.service === service.name && commit.committedAt <= now ? commit : undefined;
}

/** A commit as lists show it (MR commits, compare): without stats, status or last pipeline. */
function commitListView(ctx: Ctx, c: NonNullable<ReturnType<typeof findCommit>>) {
  const {
    stats: _stats,
    status: _status,
    project_id: _project,
    last_pipeline: _pipeline,
    ...basic
  } = commitView(ctx.view, c);
  return basic;
}

/** The commits reachable from a commit (itself included), as `git log <sha>` walks them. */
function reachableFrom(ctx: Ctx, sha: string): Map<string, NonNullable<ReturnType<typeof findCommit>>> {
  const seen = new Map<string, NonNullable<ReturnType<typeof findCommit>>>();
  const stack = [sha];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    const c = ctx.view.index.commitsBySha.get(next);
    if (!c) continue;
    seen.set(next, c);
    stack.push(...c.parentShas);
  }
  return seen;
}

/**
 * `/repository/compare?from=&to=` (straight=false): the commits reachable from `to` and not from
 * `from`, oldest first, as `git log from..to` in reverse; diffs are left empty.
 */
function compare(ctx: Ctx, service: Service): FakeResponse {
  const fromRef = ctx.request.query.get('from');
  const toRef = ctx.request.query.get('to');
  const missing = [fromRef ? null : 'from', toRef ? null : 'to'].filter(Boolean);
  if (missing.length) return json(400, { error: `${missing.join(', ')} is missing` });
  const from = findCommit(ctx, service, fromRef!);
  const to = findCommit(ctx, service, toRef!);
  if (!from || !to) return notFound('Ref Not Found');
  const before = reachableFrom(ctx, from.sha);
  const range = [...reachableFrom(ctx, to.sha).values()].filter((c) => !before.has(c.sha));
  sortBy(range, [(c) => c.committedAt, (c) => c.sha], false);
  return json(200, {
    commit: range.length ? commitListView(ctx, range[range.length - 1]) : null,
    commits: range.map((c) => commitListView(ctx, c)),
    diffs: [],
    compare_timeout: false,
    compare_same_ref: from.sha === to.sha,
    web_url: `${ctx.view.web}/${service.gitlabPath}/-/compare/${from.sha}...${to.sha}`,
  });
}

/**
 * `/repository/commits?ref_name=<sha>&since=&until=`: the commits reachable from a commit,
 * committed in the window, newest first. Only commit refs are served (the estate keeps no branch
 * history): a branch or tag name answers 404 as an unknown ref does.
 */
function listCommits(ctx: Ctx, service: Service): FakeResponse {
  const ref = ctx.request.query.get('ref_name');
  const since = parseTime(ctx.request, 'since');
  const until = parseTime(ctx.request, 'until');
  if (since.error) return since.error;
  if (until.error) return until.error;
  const head = ref ? findCommit(ctx, service, ref) : undefined;
  if (!head) return notFound('Commit Not Found');
  const commits = [...reachableFrom(ctx, head.sha).values()].filter(
    (c) =>
      c.committedAt <= ctx.view.now &&
      (!since.value || c.committedAt >= since.value) &&
      (!until.value || c.committedAt <= until.value),
  );
  sortBy(commits, [(c) => c.committedAt, (c) => c.sha], true);
  return paginate(ctx.request, commits, (c) => commitListView(ctx, c));
}

function listProjects(ctx: Ctx): FakeResponse {
  const { request, view } = ctx;
  const orderBy = request.query.get('order_by') ?? 'created_at';
  if (!['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at'].includes(orderBy)) {
    return badParam('order_by');
  }
  const sort = request.query.get('sort') ?? 'desc';
  if (sort !== 'asc' && sort !== 'desc') return badParam('sort');
  const archived = flag(request, 'archived');
  const search = request.query.get('search')?.toLowerCase();
  const simple = flag(request, 'simple') === true;
  const rows = view.estate.services.filter(
    (s) =>
      s.createdAt <= view.now &&
      (archived === undefined || s.archived === archived) &&
      (!search || s.name.toLowerCase().includes(search)),
  );
  const key =
    orderBy === 'id'
      ? (s: Service) => s.id
      : orderBy === 'name' || orderBy === 'path'
        ? (s: Service) => s.name
        : (s: Service) => s.createdAt;
  sortBy(rows, [key, (s) => s.id], sort === 'desc');
  return paginate(request, rows, (s) => projectView(view, s, simple));
}

function group(ctx: Ctx): boolean {
  const org = ctx.view.estate.organization;
  const id = ctx.params[0];
  return id === String(org.id) || id.toLowerCase() === org.path;
}

function routes(options: GitlabFakeOptions): Route[] {
  return [
    {
      pattern: ['user'],
      handle: (ctx) => json(200, currentUserView(ctx.view, ctx.view.index.person(options.userName))),
    },
    { pattern: ['metadata'], handle: (ctx) => json(200, metadataView(ctx.state.behaviours)) },
    { pattern: ['version'], handle: (ctx) => json(200, metadataView(ctx.state.behaviours)) },
    { pattern: ['projects'], handle: listProjects },
    {
      pattern: ['projects', ':id'],
      handle: withProject((ctx, s) => json(200, projectView(ctx.view, s, false))),
    },
    {
      pattern: ['projects', ':id', 'environments'],
      handle: withProject((ctx, s) => {
        const name = ctx.request.query.get('name');
        const envs = (ctx.view.index.environmentsByService.get(s.name) ?? []).filter(
          (e) => e.createdAt <= ctx.view.now && (name === null || e.name === name),
        );
        return paginate(ctx.request, envs, (e) => environmentView(ctx.view, e));
      }),
    },
    {
      pattern: ['projects', ':id', 'environments', ':env'],
      handle: withProject((ctx, s) => {
        const env = ctx.view.index.environmentsById.get(Number(ctx.params[1]));
        return env && env.service === s.name && env.createdAt <= ctx.view.now
          ? json(200, environmentView(ctx.view, env))
          : notFound('Not found');
      }),
    },
    { pattern: ['projects', ':id', 'deployments'], handle: withProject(listDeployments) },
    {
      pattern: ['projects', ':id', 'deployments', ':deployment'],
      handle: withProject((ctx, s) => {
        const d = visibleDeployment(ctx, s, ctx.params[1]);
        if (!d) return notFound('Not found');
        const detail = deploymentDetailView(ctx.view, d);
        return json(200, ctx.state.behaviours.communityEdition ? communityDeployment(detail) : detail);
      }),
    },
    {
      pattern: ['projects', ':id', 'deployments', ':deployment', 'merge_requests'],
      handle: withProject(shippedMergeRequests),
    },
    { pattern: ['projects', ':id', 'merge_requests'], handle: withProject(listMergeRequests) },
    {
      pattern: ['projects', ':id', 'merge_requests', ':iid'],
      handle: withProject((ctx, s) => {
        const mr = visibleMergeRequest(ctx, s, ctx.params[1]);
        return mr ? json(200, mergeRequestView(ctx.view, mr)) : notFound('Merge Request Not Found');
      }),
    },
    {
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approvals'],
      handle: withProject((ctx, s) => {
        const mr = visibleMergeRequest(ctx, s, ctx.params[1]);
        if (!mr) return notFound('Merge Request Not Found');
        const approvals = approvalsView(ctx.view, mr);
        return json(200, ctx.state.behaviours.communityEdition ? communityApprovals(approvals) : approvals);
      }),
    },
    {
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'commits'],
      handle: withProject((ctx, s) => {
        const mr = visibleMergeRequest(ctx, s, ctx.params[1]);
        if (!mr) return notFound('Merge Request Not Found');
        const commits = [...mr.commitShas]
          .reverse()
          .map((sha) => ctx.view.index.commitsBySha.get(sha))
          .filter((c) => c !== undefined && c.committedAt <= ctx.view.now);
        return paginate(ctx.request, commits, (c) => commitListView(ctx, c!));
      }),
    },
    {
      // lib/api/ci/pipelines.rb: the project's pipelines, newest (highest id) first, offset-paged.
      pattern: ['projects', ':id', 'pipelines'],
      handle: withProject((ctx, s) => {
        const pipelines = ctx.view.estate.pipelines
          .filter((p) => p.service === s.name && p.createdAt <= ctx.view.now)
          .sort((a, b) => b.id - a.id);
        return paginate(ctx.request, pipelines, (p) => pipelineBasicView(ctx.view, p));
      }),
    },
    {
      pattern: ['projects', ':id', 'pipelines', ':pipeline'],
      handle: withProject((ctx, s) => {
        const p = ctx.view.index.pipelinesById.get(Number(ctx.params[1]));
        return p && p.service === s.name && p.createdAt <= ctx.view.now
          ? json(200, pipelineView(ctx.view, p))
          : notFound('Not found');
      }),
    },
    {
      pattern: ['projects', ':id', 'pipelines', ':pipeline', 'variables'],
      handle: withProject((ctx, s) => {
        const p = ctx.view.index.pipelinesById.get(Number(ctx.params[1]));
        if (!(p && p.service === s.name && p.createdAt <= ctx.view.now)) return notFound('Not found');
        // `authorize! :read_pipeline_variable` after the pipeline was found (a Reporter reads it).
        if (ctx.state.behaviours.variablesNeedMaintainer) return json(403, { message: '403 Forbidden' });
        return json(200, pipelineVariablesView(p));
      }),
    },
    {
      pattern: ['projects', ':id', 'pipelines', ':pipeline', 'test_report_summary'],
      handle: withProject((ctx, s) => {
        const p = ctx.view.index.pipelinesById.get(Number(ctx.params[1]));
        return p && p.service === s.name && p.createdAt <= ctx.view.now
          ? json(200, testReportSummaryView(ctx.view, p))
          : notFound('Not found');
      }),
    },
    {
      pattern: ['projects', ':id', 'repository', 'commits', ':sha'],
      handle: withProject((ctx, s) => {
        const c = findCommit(ctx, s, ctx.params[1]);
        return c ? json(200, commitView(ctx.view, c)) : notFound('Commit Not Found');
      }),
    },
    { pattern: ['projects', ':id', 'repository', 'compare'], handle: withProject(compare) },
    { pattern: ['projects', ':id', 'repository', 'commits'], handle: withProject(listCommits) },
    {
      pattern: ['projects', ':id', 'repository', 'commits', ':sha', 'signature'],
      handle: withProject((ctx, s) => {
        const c = findCommit(ctx, s, ctx.params[1]);
        if (!c) return notFound('Commit Not Found');
        const body = signatureBody(ctx.view, c);
        if (body === null) return notFound('GPG Signature Not Found');
        return rawJson(200, ctx.state.behaviours.eeSignatureStatuses ? eeSignatureStatus(c, body) : body);
      }),
    },
    {
      pattern: ['groups', ':id'],
      handle: (ctx) => (group(ctx) ? json(200, groupView(ctx.view)) : notFound('Group Not Found')),
    },
    {
      // Premium: each production-tier environment is protected for Maintainers; a high-impact
      // service's also needs two approvals (GitLab 14.x+ `required_approval_count`).
      pattern: ['projects', ':id', 'protected_environments'],
      handle: withProject((ctx, s) => {
        // Community Edition has no route for this `ee/` endpoint.
        if (ctx.state.behaviours.communityEdition) return notFoundRoute();
        const envs = (ctx.view.index.environmentsByService.get(s.name) ?? []).filter(
          (e) => e.tier === 'production' && e.createdAt <= ctx.view.now,
        );
        return paginate(ctx.request, envs, (e) => ({
          name: e.name,
          deploy_access_levels: [
            {
              id: e.id,
              access_level: 40,
              access_level_description: 'Maintainers',
              user_id: null,
              group_id: null,
              group_inheritance_type: 0,
            },
          ],
          required_approval_count: s.criticality === 'high' ? 2 : 0,
          approval_rules: [],
        }));
      }),
    },
    {
      pattern: ['groups', ':id', 'members', 'all'],
      handle: (ctx) => {
        if (!group(ctx)) return notFound('Group Not Found');
        const members = ctx.view.estate.people.filter(
          (p) => p.createdAt <= ctx.view.now && !p.roles.includes('service-account'),
        );
        sortBy(members, [(p) => p.id], false);
        return paginate(ctx.request, members, (p) => groupMemberView(ctx.view, p));
      },
    },
    {
      pattern: ['groups', ':id', 'projects'],
      handle: (ctx) => (group(ctx) ? listProjects(ctx) : notFound('Group Not Found')),
    },
  ];
}

function match(pattern: string[], segments: string[]): string[] | null {
  if (pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params.push(segments[i]);
    else if (pattern[i] !== segments[i]) return null;
  }
  return params;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function createGitlabFake(options: GitlabFakeOptions): FakeHandler {
  const table = routes(options);
  const state: BehaviourState = {
    behaviours: options.behaviours ?? {},
    mergeRequestReads: new Map(),
    bumped: new Map(),
  };
  return (request) => {
    if (request.path !== API && !request.path.startsWith(`${API}/`)) return notFoundRoute();
    if (!authorized(request, options.token)) return json(401, { message: '401 Unauthorized' });
    const raw = request.path.slice(API.length + 1).replace(/\/+$/, '');
    const segments = raw === '' ? [] : raw.split('/').map(decodeSegment);
    if (segments.some((s) => s === null)) return notFoundRoute();
    const estate = options.estate();
    const view: GitlabView = {
      estate,
      index: EstateIndex.of(estate),
      now: options.now().toISOString(),
      web: request.baseUrl,
      bumped: state.bumped,
    };
    for (const route of table) {
      const params = match(route.pattern, segments as string[]);
      if (!params) continue;
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return json(405, { error: '405 Not Allowed' });
      const response = route.handle({ request, view, params, state });
      // Signature bodies carry numbers JSON.parse would round; they name no user.
      return route.pattern[route.pattern.length - 1] === 'signature'
        ? response
        : rewritePeople(response, view, state.behaviours);
    }
    return notFoundRoute();
  };
}
