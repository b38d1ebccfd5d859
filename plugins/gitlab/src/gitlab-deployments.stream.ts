/**
 * The `deployments` stream: for each project, the deployments updated since the project's
 * watermark, oldest update first, one batch per page; each successful deployment fanned out to its
 * approvals, pipeline variables, test report, and what it shipped — the commits from the previous
 * successful deployment to the same environment (the MRs that landed there, read whole, and the
 * deployed commit, each with its signature). Writes `deployment`, `merge-request`, `deployment-mr`
 * and `commit`.
 *
 * What shipped is derived from the deployed commits (`/repository/compare`), never from GitLab's
 * `/deployments/:id/merge_requests`: that list is filled by a background job after the deployment
 * (Deployments::LinkMergeRequestWorker, so an early read finds it empty), skipped for every
 * environment in a folder (`review/*`, `production/eu`: LinkMergeRequestsService returns when the
 * environment has an `environment_type`), links a first deployment to every MR ever merged into the
 * branch, and links an MR only to the first deployment of each environment that shipped it.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import { mergeBatches } from '@audit-hub/plugin-sdk';
import type {
  Batch,
  Cursor,
  PluginLogger,
  ReadInput,
  StreamDefinition,
  StreamProblem,
} from '@audit-hub/plugin-sdk';
import {
  EnvironmentTiers,
  mapDeployment,
  mapDeploymentApprovals,
  mapDeploymentStatus,
  mapTestReportSummary,
  type DeploymentDetails,
} from './gitlab-deployment.mapper';
import { mapDeploymentMr } from './gitlab-merge-request.mapper';
import { PipelineVariablesReader } from './gitlab-pipeline-variables.reader';
import { PreviousDeploymentIndex } from './gitlab-previous-deployment.index';
import { ReleaseContentReader, type ProblemHandler } from './gitlab-release-content.reader';
import { resolveProjects, type ResolvedProject } from './gitlab-projects.resolver';
import { readRange, type RangeStart } from './gitlab-shipped-range.reader';
import type { ResolvedGitLabOptions } from './gitlab.config';
import type { DeploymentsPage, GitLabClient } from './gitlab.client';
import type { GitLabDeployment, GitLabProtectedEnvironment } from './gitlab.types';

export const DEPLOYMENTS_STREAM = 'deployments';
export const DEPLOYMENTS_KINDS: RecordKind[] = ['deployment', 'merge-request', 'deployment-mr', 'commit'];

/**
 * The cursor saved after each batch. Keys are numeric project ids, which survive renames. (A type
 * alias, not an interface: the SDK's `Cursor` is an index-signature object.)
 */
export type GitLabDeploymentsCursor = {
  /** The latest deployment `updated_at` read per project (ISO UTC): the next run's `updated_after`. */
  projects: Record<string, string>;
  /** The `path_with_namespace` recorded at a project's first collection (subject refs keep it after a rename). */
  paths: Record<string, string>;
  /**
   * Per project whose pipeline variables GitLab refused: the earliest `updated_at` of a deployment
   * recorded without them, and the pipeline refused last. A later run asks for that pipeline's
   * variables again first; once GitLab gives them, it reads the project again from `since`.
   */
  variablesUnread?: Record<string, VariablesUnread>;
  /**
   * Per project, the deployment ids read whose `updated_at` is its watermark: `updated_after` is
   * inclusive, and without them every run would read each project's last deployment again, with
   * its whole fan-out. Absent when the watermark was held back (nothing at it is known read).
   */
  seen?: Record<string, number[]>;
};

export interface VariablesUnread {
  since: string;
  pipeline: number;
}

export interface DeploymentsStreamDeps {
  client: GitLabClient;
  options: ResolvedGitLabOptions;
  logger: PluginLogger;
}

export function createDeploymentsStream(deps: DeploymentsStreamDeps): StreamDefinition {
  return {
    name: DEPLOYMENTS_STREAM,
    kinds: DEPLOYMENTS_KINDS,
    mode: 'incremental',
    read: (input) => new DeploymentsRun(deps, input).batches(),
  };
}

/** A cursor from an earlier run, or an empty one (a first or full run, or a cursor of another shape). */
export function parseCursor(cursor: Cursor | null): Required<GitLabDeploymentsCursor> {
  const out: Required<GitLabDeploymentsCursor> = { projects: {}, paths: {}, variablesUnread: {}, seen: {} };
  if (!cursor || typeof cursor !== 'object') return out;
  const { projects, paths, variablesUnread, seen } = cursor as Record<string, unknown>;
  if (seen && typeof seen === 'object') {
    for (const [key, value] of Object.entries(seen)) {
      if (Array.isArray(value) && value.every((id) => Number.isInteger(id))) out.seen[key] = [...value];
    }
  }
  for (const [target, source] of [
    [out.projects, projects],
    [out.paths, paths],
  ] as const) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') target[key] = value;
  }
  if (variablesUnread && typeof variablesUnread === 'object') {
    for (const [key, value] of Object.entries(variablesUnread)) {
      const { since, pipeline } = (value ?? {}) as Partial<VariablesUnread>;
      if (typeof since === 'string' && !Number.isNaN(Date.parse(since)) && typeof pipeline === 'number')
        out.variablesUnread[key] = { since, pipeline };
    }
  }
  return out;
}

interface DeploymentOutcome {
  records: NormalizedRecord[];
  problems: StreamProblem[];
  /** A problem that a later read may not meet (5xx, rate limit, timeout, unreadable body). */
  transient: boolean;
  /** Recorded with `variables: null` because GitLab's policy refused them. */
  variablesDenied: boolean;
}

/** What the deployments of one project share while they are read. */
interface ProjectContext {
  project: ResolvedProject;
  /** `path_with_namespace` as first collected. */
  path: string;
  tiers: EnvironmentTiers;
  protectedEnvironments: GitLabProtectedEnvironment[] | null;
  variables: PipelineVariablesReader;
  previous: PreviousDeploymentIndex;
}

/** Projects read at the same time (their requests share the client's `http.concurrency`). */
const PROJECTS_AT_ONCE = 4;

/** The kinds a range that cannot be read leaves incomplete. */
const RANGE_KINDS: RecordKind[] = ['merge-request', 'deployment-mr', 'commit'];

/** One read of the stream; what several deployments share (an MR, a commit) is read once. */
class DeploymentsRun {
  private readonly state: Required<GitLabDeploymentsCursor>;
  private readonly since: string;
  private readonly pending: StreamProblem[] = [];
  private readonly content: ReleaseContentReader;
  private readonly environmentPatterns: RegExp[];

  constructor(
    private readonly deps: DeploymentsStreamDeps,
    input: ReadInput,
  ) {
    this.state = parseCursor(input.full ? null : input.cursor);
    this.since = input.since.toISOString();
    this.environmentPatterns = deps.options.environments.map(globToRegExp);
    this.content = new ReleaseContentReader(deps.client);
  }

  /**
   * Projects are read `PROJECTS_AT_ONCE` at a time (mergeBatches): a project's own requests
   * (environments, protection, the first deployments page, the previous deployments) are one after
   * the other, and an estate of many small projects would otherwise wait on them one project at a
   * time with the client's other slots idle. Every batch's cursor is taken right before its
   * `yield`, so it covers exactly the batches delivered up to it.
   */
  async *batches(): AsyncGenerator<Batch> {
    const { projects, problems } = await resolveProjects(this.deps.client, this.deps.options);
    this.pending.push(...problems);
    this.deps.logger.debug('gitlab projects to audit', { projects: projects.length });
    yield* mergeBatches(
      projects.map((project) => () => this.project(project)),
      PROJECTS_AT_ONCE,
    );
    if (this.pending.length > 0)
      yield { records: [], problems: this.pending.splice(0), cursor: this.snapshot() };
  }

  private async *project(project: ResolvedProject): AsyncGenerator<Batch> {
    const key = String(project.id);
    // Recorded in the cursor with the project's first batch (as its watermark), not before.
    const path = this.state.paths[key] ?? project.path;
    const ctx: ProjectContext = {
      project,
      path,
      tiers: await this.tiers(project, path),
      protectedEnvironments: await this.protection(project, path),
      variables: new PipelineVariablesReader(this.deps.client, project.id, path),
      previous: new PreviousDeploymentIndex(this.deps.client, project.id),
    };
    const watermark = this.state.projects[key];
    let after = watermark && Date.parse(watermark) > Date.parse(this.since) ? watermark : this.since;
    const reread = await this.variablesReadableAgain(ctx, this.state.variablesUnread[key]);
    // Variables are readable now: the deployments recorded without them are read again. The note
    // is dropped from the cursor with this project's first batch, not before: a batch of another
    // project delivered in between must not save a cursor that forgot the re-read.
    let forgetUnread = false;
    if (reread) {
      if (Date.parse(reread) < Date.parse(after)) after = reread;
      forgetUnread = true;
    }

    // Once a deployment of this project could not be read whole, the watermark stays before it for
    // the rest of the run, so the next run reads it again instead of skipping it for good.
    let held: number | undefined;
    // What an earlier run read at the watermark is skipped only when this read starts there.
    const seenAtStart = after === watermark ? (this.state.seen[key] ?? []) : [];
    const pages = this.deps.client.deploymentsUpdatedSince(project.id, after, seenAtStart);
    for (;;) {
      let next: IteratorResult<DeploymentsPage>;
      try {
        next = await pages.next();
      } catch (err) {
        // A page that cannot be read as a list ends this project's read without moving its
        // watermark past it; any other error of the main list fails the stream.
        if (!(isUpstreamError(err) && err.code === 'malformed')) throw err;
        this.pending.push({ where: `project ${path} deployments`, error: this.describe(err) });
        break;
      }
      if (next.done) break;
      const page = next.value;
      const selected = page.items.filter((d) => this.wanted(d));
      const outcomes = await Promise.all(selected.map((d) => this.deployment(ctx, d)));

      let denied: number | undefined;
      selected.forEach((d, i) => {
        const at = Date.parse(updatedAt(d));
        if (outcomes[i].variablesDenied && !Number.isNaN(at)) denied = Math.min(denied ?? at, at);
        if (!outcomes[i].transient) return;
        // Without a usable updated_at, hold where this read started.
        const before = Number.isNaN(at) ? Date.parse(after) : at - 1;
        held = held === undefined ? before : Math.min(held, before);
      });
      if (forgetUnread) delete this.state.variablesUnread[key];
      forgetUnread = false;
      this.state.paths[key] ??= path;
      this.state.projects[key] = new Date(held ?? Date.parse(page.watermark)).toISOString();
      if (held === undefined && page.seenAtWatermark.length > 0) this.state.seen[key] = page.seenAtWatermark;
      else delete this.state.seen[key];
      if (denied !== undefined) this.rememberUnread(key, denied, ctx.variables);

      const problems = [
        ...this.pending.splice(0),
        ...outcomes.flatMap((o) => o.problems),
        ...this.content.takeProblems(),
      ];
      const refusal = ctx.variables.takeProblem();
      if (refusal) problems.push(refusal);
      if (page.items.length === 0 && problems.length === 0) continue;
      const batch: Batch = { records: dedupe(outcomes.flatMap((o) => o.records)), cursor: this.snapshot() };
      if (problems.length > 0) batch.problems = problems;
      this.deps.logger.debug('gitlab deployments page', {
        project: path,
        page: page.where,
        deployments: page.items.length,
        records: batch.records.length,
        problems: problems.length,
      });
      yield batch;
    }
    if (forgetUnread) delete this.state.variablesUnread[key];
    this.state.paths[key] ??= path;
    // Refused only when asked again (no deployment read since): still said, once, at the end.
    const refusal = ctx.variables.takeProblem();
    if (refusal) this.pending.push(refusal);
  }

  /**
   * Whether a project whose variables GitLab refused in an earlier run gives them now, asked with
   * the pipeline refused last: the instant to read the project again from when it does (or when
   * that pipeline is gone and only a read of the deployments can tell); undefined when it still
   * refuses (the run records variables null without asking again) or the answer was no answer.
   */
  private async variablesReadableAgain(
    ctx: ProjectContext,
    unread: VariablesUnread | undefined,
  ): Promise<string | undefined> {
    if (!unread) return undefined;
    const from = Date.parse(unread.since) > Date.parse(this.since) ? unread.since : this.since;
    try {
      return (await ctx.variables.read(unread.pipeline)) === null ? undefined : from;
    } catch (err) {
      if (isFatal(err)) throw err;
      if (isUpstreamError(err) && err.code === 'not_found') return from;
      this.deps.logger.warn('gitlab pipeline variables could not be asked again; next run asks again', {
        project: ctx.path,
        error: this.describe(err),
      });
      return undefined;
    }
  }

  /** Keeps, per project, the earliest deployment recorded with its variables refused. */
  private rememberUnread(key: string, at: number, variables: PipelineVariablesReader): void {
    const known = this.state.variablesUnread[key];
    const since = known && Date.parse(known.since) < at ? known.since : new Date(at).toISOString();
    const pipeline = variables.refusedPipeline ?? known?.pipeline;
    if (pipeline !== undefined) this.state.variablesUnread[key] = { since, pipeline };
  }

  /** Environment tiers of a project; an unreadable list leaves tiers unknown and says so. */
  private async tiers(project: ResolvedProject, path: string): Promise<EnvironmentTiers> {
    try {
      return new EnvironmentTiers(await this.deps.client.environments(project.id));
    } catch (err) {
      if (isFatal(err)) throw err;
      this.pending.push({
        where: `project ${path} environments (tiers)`,
        error: this.describe(err),
        kinds: ['deployment'],
      });
      return new EnvironmentTiers();
    }
  }

  /**
   * The project's protected environments, read once per run; null (unknown) on Free, when the
   * token may not see them, or when they could not be read (then a problem says so).
   */
  private async protection(
    project: ResolvedProject,
    path: string,
  ): Promise<GitLabProtectedEnvironment[] | null> {
    try {
      return await this.deps.client.protectedEnvironments(project.id);
    } catch (err) {
      if (isFatal(err)) throw err;
      this.pending.push({
        where: `project ${path} protected environments`,
        error: this.describe(err),
        kinds: ['deployment'],
      });
      return null;
    }
  }

  private wanted(deployment: GitLabDeployment): boolean {
    if (this.environmentPatterns.length === 0) return true;
    const name = deployment.environment?.name ?? '';
    return this.environmentPatterns.some((pattern) => pattern.test(name));
  }

  /** A deployment's records; fan-out failures are problems naming it, never a thrown error. */
  private async deployment(ctx: ProjectContext, deployment: GitLabDeployment): Promise<DeploymentOutcome> {
    const label = `deployment ${deployment?.id} of ${ctx.path}`;
    const problems: StreamProblem[] = [];
    let transient = false;
    const problem: ProblemHandler = (what, kinds) => (err) => {
      if (isFatal(err)) throw err;
      transient ||= isTransient(err);
      problems.push({ where: `${label}: ${what}`, error: this.describe(err), kinds });
      return undefined;
    };
    const context = {
      projectPath: ctx.path,
      tiers: ctx.tiers,
      versionVariable: this.deps.options.versionVariable,
    };
    try {
      if (typeof deployment?.id !== 'number' || typeof deployment.sha !== 'string') {
        throw new Error('the list entry has no numeric id or no sha');
      }
      if (mapDeploymentStatus(deployment.status) !== 'success') {
        return { records: [mapDeployment(deployment, context)], problems, transient, variablesDenied: false };
      }
      const pipelineId = deployment.deployable?.pipeline?.id;
      const [approvals, variables, testReport, shipped] = await Promise.all([
        this.deps.client
          .deployment(ctx.project.id, deployment.id)
          .then(mapDeploymentApprovals)
          .catch(problem('deployment approvals', ['deployment'])),
        pipelineId === undefined
          ? {}
          : // The record says itself that its variables are unknown (null): no kind is incomplete.
            ctx.variables.read(pipelineId).catch(problem(`pipeline ${pipelineId} variables`, [])),
        pipelineId === undefined
          ? undefined
          : this.deps.client
              .testReportSummary(ctx.project.id, pipelineId)
              .then(mapTestReportSummary)
              .catch(problem(`pipeline ${pipelineId} test report summary`, ['deployment'])),
        this.shipped(ctx, deployment, problem),
      ]);
      const details: DeploymentDetails = {
        variables: variables ?? null,
        approvals,
        testReport,
        protectedEnvironments: ctx.protectedEnvironments,
      };
      return {
        records: [mapDeployment(deployment, context, details), ...shipped],
        problems,
        transient,
        variablesDenied: variables === null,
      };
    } catch (err) {
      if (isFatal(err)) throw err;
      problems.push({ where: label, error: this.describe(err) });
      return { records: [], problems, transient: transient || isTransient(err), variablesDenied: false };
    }
  }

  /**
   * What the deployment shipped (controls.md "MRs shipped with a deployment"): the MRs whose
   * landing commit is reachable from the deployed commit and not from the commit of the previous
   * successful deployment to the same environment, as `merge-request` records read whole with a
   * `deployment-mr` link each, and the deployed commit with its signature.
   */
  private async shipped(
    ctx: ProjectContext,
    deployment: GitLabDeployment,
    problem: ProblemHandler,
  ): Promise<NormalizedRecord[]> {
    const handle = { id: ctx.project.id, path: ctx.path };
    // A deployment created through the API has no job, hence no embedded commit: it is read then.
    const embedded = deployment.deployable?.commit ?? undefined;
    const environment = deployment.environment?.name;
    const previous = environment
      ? await ctx.previous
          .previousOf(environment, deployment.id)
          .catch(problem(`previous successful deployment to ${environment}`, RANGE_KINDS))
      : problem(
          'previous successful deployment',
          RANGE_KINDS,
        )(new Error('the deployment names no environment: where its range starts is unknown'));
    if (previous === undefined) {
      const commit = await this.content
        .commit(handle, deployment.sha, embedded)
        .catch(problem(`commit ${deployment.sha}`, ['commit']));
      return commit ? [commit] : [];
    }
    const start: RangeStart =
      previous === null ? { kind: 'first', since: this.since } : { kind: 'after', sha: previous.sha };
    const range = await readRange(
      this.deps.client,
      this.content,
      handle,
      start,
      deployment.sha,
      problem,
      embedded,
    );
    return [...range.records, ...range.mergeRequests.map((mr) => mapDeploymentMr(String(deployment.id), mr))];
  }

  /** An error's message, with every secret the client knows redacted (upstreams echo requests). */
  private describe(err: unknown): string {
    return this.deps.client.http.redact(err instanceof Error ? err.message : String(err));
  }

  private snapshot(): GitLabDeploymentsCursor {
    const cursor: GitLabDeploymentsCursor = {
      projects: { ...this.state.projects },
      paths: { ...this.state.paths },
    };
    const unread = Object.entries(this.state.variablesUnread);
    if (unread.length > 0) cursor.variablesUnread = Object.fromEntries(unread.map(([k, v]) => [k, { ...v }]));
    const seen = Object.entries(this.state.seen);
    if (seen.length > 0) cursor.seen = Object.fromEntries(seen.map(([k, v]) => [k, [...v]]));
    return cursor;
  }
}

function updatedAt(deployment: GitLabDeployment): string {
  return deployment?.updated_at ?? deployment?.created_at ?? '';
}

/** Errors that are not about one item: the run was cancelled, or the token stopped working. */
export function isFatal(err: unknown): boolean {
  return isUpstreamError(err) && (err.code === 'aborted' || err.code === 'unauthorized');
}

/**
 * Errors a later read may not meet: worth keeping the watermark before the deployment. A 403 or
 * 404 (a Premium endpoint, a permission the token lacks) would be met again, so it does not hold.
 */
function isTransient(err: unknown): boolean {
  return isUpstreamError(err) && (err.retryable || err.code === 'malformed');
}

/** Records of one batch, each (kind, externalId) once: an MR shipped with two deployments of a page. */
export function dedupe(records: NormalizedRecord[]): NormalizedRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.kind}\u0000${record.externalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `prod*` → /^prod.*$/: `*` matches any characters, everything else literally. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
