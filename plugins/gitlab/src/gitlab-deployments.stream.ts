/**
 * The `deployments` stream: for each project, the deployments updated since the project's
 * watermark, oldest update first, one batch per page; each successful deployment fanned out to its
 * approvals, pipeline variables, test report, shipped MRs (with their approvals) and deployed commit
 * (with its signature). Writes `deployment`, `merge-request`, `deployment-mr` and `commit`.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
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
  mapVariables,
  type DeploymentDetails,
} from './gitlab-deployment.mapper';
import { mapDeploymentMr, mergeRequestExternalId } from './gitlab-merge-request.mapper';
import { ReleaseContentReader, type ProblemHandler } from './gitlab-release-content.reader';
import { resolveProjects, type ResolvedProject } from './gitlab-projects.resolver';
import type { ResolvedGitLabOptions } from './gitlab.config';
import type { GitLabClient, ListPage } from './gitlab.client';
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
};

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
export function parseCursor(cursor: Cursor | null): GitLabDeploymentsCursor {
  const out: GitLabDeploymentsCursor = { projects: {}, paths: {} };
  if (!cursor || typeof cursor !== 'object') return out;
  const { projects, paths } = cursor as { projects?: unknown; paths?: unknown };
  for (const [target, source] of [
    [out.projects, projects],
    [out.paths, paths],
  ] as const) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') target[key] = value;
  }
  return out;
}

interface DeploymentOutcome {
  records: NormalizedRecord[];
  problems: StreamProblem[];
  /** A problem that a later read may not meet (5xx, rate limit, timeout, unreadable body). */
  transient: boolean;
}

/** One read of the stream; what several deployments share (an MR, a commit) is read once. */
class DeploymentsRun {
  private readonly state: GitLabDeploymentsCursor;
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

  async *batches(): AsyncGenerator<Batch> {
    const { projects, problems } = await resolveProjects(this.deps.client, this.deps.options);
    this.pending.push(...problems);
    this.deps.logger.debug('gitlab projects to audit', { projects: projects.length });
    for (const project of projects) yield* this.project(project);
    if (this.pending.length > 0)
      yield { records: [], problems: this.pending.splice(0), cursor: this.snapshot() };
  }

  private async *project(project: ResolvedProject): AsyncGenerator<Batch> {
    const key = String(project.id);
    const path = (this.state.paths[key] ??= project.path);
    const tiers = await this.tiers(project, path);
    const protectedEnvironments = await this.protection(project, path);
    const previous = this.state.projects[key];
    const after = previous && Date.parse(previous) > Date.parse(this.since) ? previous : this.since;

    // Once a deployment of this project could not be read whole, the watermark stays before it for
    // the rest of the run, so the next run reads it again instead of skipping it for good.
    let held: number | undefined;
    const pages = this.deps.client.deployments(project.id, after);
    for (;;) {
      let next: IteratorResult<ListPage<GitLabDeployment>>;
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
      const outcomes = await Promise.all(
        selected.map((d) => this.deployment(project, path, tiers, protectedEnvironments, d)),
      );

      selected.forEach((d, i) => {
        if (!outcomes[i].transient) return;
        const at = Date.parse(updatedAt(d));
        // Without a usable updated_at, hold where this read started.
        const before = Number.isNaN(at) ? Date.parse(after) : at - 1;
        held = held === undefined ? before : Math.min(held, before);
      });
      const seen = page.items.map(updatedAt).filter((value) => !Number.isNaN(Date.parse(value)));
      const latest = seen.length > 0 ? Math.max(...seen.map((value) => Date.parse(value))) : undefined;
      const mark = held ?? latest;
      if (mark !== undefined) this.state.projects[key] = new Date(mark).toISOString();

      const problems = [...this.pending.splice(0), ...outcomes.flatMap((o) => o.problems)];
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
  private async deployment(
    project: ResolvedProject,
    path: string,
    tiers: EnvironmentTiers,
    protectedEnvironments: GitLabProtectedEnvironment[] | null,
    deployment: GitLabDeployment,
  ): Promise<DeploymentOutcome> {
    const label = `deployment ${deployment?.id} of ${path}`;
    const problems: StreamProblem[] = [];
    let transient = false;
    const problem: ProblemHandler = (what, kinds) => (err) => {
      if (isFatal(err)) throw err;
      transient ||= isTransient(err);
      problems.push({ where: `${label}: ${what}`, error: this.describe(err), kinds });
      return undefined;
    };
    const context = { projectPath: path, tiers, versionVariable: this.deps.options.versionVariable };
    try {
      if (typeof deployment?.id !== 'number' || typeof deployment.sha !== 'string') {
        throw new Error('the list entry has no numeric id or no sha');
      }
      if (mapDeploymentStatus(deployment.status) !== 'success') {
        return { records: [mapDeployment(deployment, context)], problems, transient };
      }
      const pipelineId = deployment.deployable?.pipeline?.id;
      const [approvals, variables, testReport, shipped, commit] = await Promise.all([
        this.deps.client
          .deployment(project.id, deployment.id)
          .then(mapDeploymentApprovals)
          .catch(problem('deployment approvals', ['deployment'])),
        pipelineId === undefined
          ? {}
          : this.deps.client
              .pipelineVariables(project.id, pipelineId)
              .then(mapVariables)
              .catch(problem(`pipeline ${pipelineId} variables`, ['deployment'])),
        pipelineId === undefined
          ? undefined
          : this.deps.client
              .testReportSummary(project.id, pipelineId)
              .then(mapTestReportSummary)
              .catch(problem(`pipeline ${pipelineId} test report summary`, ['deployment'])),
        this.mergeRequests(project, path, deployment, problem),
        this.commit(project, path, deployment).catch(problem(`commit ${deployment.sha}`, ['commit'])),
      ]);
      const details: DeploymentDetails = { variables, approvals, testReport, protectedEnvironments };
      return {
        records: [mapDeployment(deployment, context, details), ...shipped, ...(commit ? [commit] : [])],
        problems,
        transient,
      };
    } catch (err) {
      if (isFatal(err)) throw err;
      problems.push({ where: label, error: this.describe(err) });
      return { records: [], problems, transient: transient || isTransient(err) };
    }
  }

  private async mergeRequests(
    project: ResolvedProject,
    path: string,
    deployment: GitLabDeployment,
    problem: ProblemHandler,
  ): Promise<NormalizedRecord[]> {
    const mrs = await this.deps.client
      .deploymentMergeRequests(project.id, deployment.id)
      .catch(problem('merge requests', ['merge-request', 'deployment-mr']));
    if (!mrs) return [];
    const perMr = await Promise.all(
      mrs.map(async (mr) => {
        if (typeof mr?.iid !== 'number') {
          problem('merge requests', ['merge-request', 'deployment-mr'])(
            new Error('an entry has no numeric iid'),
          );
          return [];
        }
        const [record, ...commits] = await this.content.mergeRequest({ id: project.id, path }, mr, problem);
        return [
          record,
          mapDeploymentMr(String(deployment.id), mergeRequestExternalId(path, mr.iid)),
          ...commits,
        ];
      }),
    );
    return perMr.flat();
  }

  /** The deployed commit with its signature; read once per run however many deployments ship it. */
  private commit(project: ResolvedProject, path: string, deployment: GitLabDeployment) {
    // A deployment created through the API has no job, hence no embedded commit: it is read then.
    return this.content.commit(
      { id: project.id, path },
      deployment.sha,
      deployment.deployable?.commit ?? undefined,
    );
  }

  /** An error's message, with every secret the client knows redacted (upstreams echo requests). */
  private describe(err: unknown): string {
    return this.deps.client.http.redact(err instanceof Error ? err.message : String(err));
  }

  private snapshot(): GitLabDeploymentsCursor {
    return { projects: { ...this.state.projects }, paths: { ...this.state.paths } };
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
