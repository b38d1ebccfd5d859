/**
 * The `quality-gates` stream (incremental): for each project, the analyses of its main branch
 * created since the project's cursor (`api/project_analyses/search?from=`), and for each analysis
 * the gate as computed for it (`api/qualitygates/project_status?analysisId=`). Writes `quality-gate`.
 *
 * SonarQube lists analyses newest first, so a project's cursor can only move once every page of it
 * was read: it rides on the project's last page. An analysis whose gate could not be read for a
 * reason a later run may not meet (5xx, rate limit, timeout, unreadable body) holds the cursor at
 * that analysis, so the next run reads it again.
 *
 * Before anything, the run makes sure it is not anonymous (`api/users/current`): a server that did
 * not read the token (a bearer header on 9.9 LTS, a proxy dropping `Authorization`) serves an
 * anonymous session when it does not force authentication, where every private project is
 * missing or refused, and those projects must not pass for unanalysed ones.
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
import { resolveProjects } from './sonarqube-projects.resolver';
import {
  formatSonarTime,
  GateValueError,
  mapQualityGate,
  sonarTimeToIso,
} from './sonarqube-quality-gate.mapper';
import { PATHS, type SonarPage, type SonarQubeClient } from './sonarqube.client';
import type { ResolvedSonarQubeOptions } from './sonarqube.config';
import type { SonarAnalysis } from './sonarqube.types';

export const QUALITY_GATES_STREAM = 'quality-gates';
export const QUALITY_GATES_KINDS: RecordKind[] = ['quality-gate'];

/**
 * The cursor saved with a project's last page: project key → the date of the newest analysis read
 * (ISO-8601 UTC), the next run's inclusive `from`. (A type alias: the SDK's `Cursor` is an
 * index-signature object.)
 */
export type SonarQubeCursor = { projects: Record<string, string> };

export interface QualityGatesStreamDeps {
  client: SonarQubeClient;
  options: ResolvedSonarQubeOptions;
  logger: PluginLogger;
  /** The catalogued services' project keys, read too when projects are discovered. */
  catalogue?: readonly string[];
}

/** What a token's user needs on each audited project, for problems and checks. */
export const BROWSE_FIX =
  "grant the token's user the Browse permission on the project (Project Settings > Permissions, directly or through a group)";

export function createQualityGatesStream(deps: QualityGatesStreamDeps): StreamDefinition {
  return {
    name: QUALITY_GATES_STREAM,
    kinds: QUALITY_GATES_KINDS,
    mode: 'incremental',
    read: (input) => new QualityGatesRun(deps, input).batches(),
  };
}

/** A cursor from an earlier run, or an empty one (first or full run, or a cursor of another shape). */
export function parseCursor(cursor: Cursor | null): SonarQubeCursor {
  const out: SonarQubeCursor = { projects: {} };
  if (!cursor || typeof cursor !== 'object') return out;
  const projects = (cursor as { projects?: unknown }).projects;
  if (!projects || typeof projects !== 'object') return out;
  for (const [key, value] of Object.entries(projects)) {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out.projects[key] = value;
  }
  return out;
}

interface AnalysisOutcome {
  record?: NormalizedRecord<'quality-gate'>;
  problem?: StreamProblem;
  /** The analysis date (ms), NaN when unreadable. */
  at: number;
  /** The problem may not be met by a later read: hold the cursor at this analysis. */
  transient: boolean;
}

class QualityGatesRun {
  private readonly state: SonarQubeCursor;
  private readonly since: number;

  constructor(
    private readonly deps: QualityGatesStreamDeps,
    input: ReadInput,
  ) {
    this.state = parseCursor(input.full ? null : input.cursor);
    this.since = input.since.getTime();
  }

  private catalogued = new Set<string>();

  async *batches(): AsyncGenerator<Batch> {
    const anonymous = await this.anonymousProblem();
    if (anonymous) {
      yield { records: [], problems: [this.clean(anonymous)] };
      return;
    }
    const { projects, catalogued, problems } = await resolveProjects(
      this.deps.client,
      this.deps.options,
      this.deps.catalogue,
    );
    this.catalogued = catalogued;
    this.deps.logger.debug('sonarqube projects to audit', {
      projects: projects.length,
      catalogued: catalogued.size,
    });
    for (const key of projects) yield* this.project(key);
    if (problems.length > 0) yield { records: [], problems: problems.map((p) => this.clean(p)) };
  }

  /** A problem when the requests run as nobody: nothing read then could be told from nothing there. */
  private async anonymousProblem(): Promise<StreamProblem | undefined> {
    const user = await this.deps.client.currentUser();
    if (user.isLoggedIn) return undefined;
    const scheme = this.deps.options.authScheme;
    return {
      where: `GET ${PATHS.currentUser}`,
      error:
        `SonarQube served the requests as anonymous (isLoggedIn: false): the token was not read ` +
        `(authScheme ${scheme}; SonarQube 9.9 and older read a token only as the basic-auth user name), ` +
        'so private projects would look unanalysed: nothing was read',
      code: 'sonarqube-anonymous',
      fix:
        scheme === 'bearer'
          ? 'set options.authScheme to auto (or basic) for SonarQube before 10.0'
          : 'check that no proxy in front of SonarQube drops the Authorization header, and that the token is valid',
      lasting: true,
    };
  }

  private async *project(key: string): AsyncGenerator<Batch> {
    const previous = this.state.projects[key];
    const start = previous && Date.parse(previous) > this.since ? Date.parse(previous) : this.since;
    const from = formatSonarTime(new Date(start));
    const seen = new Set<string>();
    let newest: number | undefined;
    let held: number | undefined;

    const pages = this.deps.client.analyses(key, from);
    for (;;) {
      let next: IteratorResult<SonarPage<SonarAnalysis>>;
      try {
        next = await pages.next();
      } catch (err) {
        if (isFatal(err)) throw err;
        if (this.catalogued.has(key) && isUpstreamError(err) && err.code === 'not_found') {
          // A catalogued service with no project: its deployments have no analysis, and RM-QG-001
          // rightly says so. Not a read failure.
          this.deps.logger.debug('sonarqube: catalogued project does not exist', { project: key });
          return;
        }
        const problem = this.listProblem(key, err);
        // Any other failure of the list (5xx after retries, network) fails the stream.
        if (!problem) throw err;
        yield { records: [], problems: [this.clean(problem)] };
        return;
      }
      if (next.done) return;
      const page = next.value;

      // A new analysis arriving mid-read shifts the newest-first list: skip the repeats.
      const fresh = page.items.filter((analysis) => {
        const id = typeof analysis?.key === 'string' ? analysis.key : undefined;
        if (id === undefined) return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const outcomes = await Promise.all(fresh.map((analysis) => this.analysis(key, analysis)));

      for (const outcome of outcomes) {
        if (Number.isNaN(outcome.at)) continue;
        if (newest === undefined || outcome.at > newest) newest = outcome.at;
        if (outcome.transient) held = held === undefined ? outcome.at : Math.min(held, outcome.at);
      }
      const records = outcomes.flatMap((o) => (o.record ? [o.record] : []));
      const problems = outcomes.flatMap((o) => (o.problem ? [this.clean(o.problem)] : []));
      const batch: Batch = { records };
      if (problems.length > 0) batch.problems = problems;

      if (page.last) {
        const mark = held ?? newest;
        if (mark !== undefined && mark >= start) {
          this.state.projects[key] = new Date(mark).toISOString();
          batch.cursor = this.snapshot();
        }
      }
      this.deps.logger.debug('sonarqube analyses page', {
        project: key,
        page: page.where,
        analyses: page.items.length,
        records: records.length,
        problems: problems.length,
      });
      if (records.length > 0 || problems.length > 0 || batch.cursor) yield batch;
      if (page.last) return;
    }
  }

  /** One analysis with its gate; failures are problems naming it, never a thrown error (except fatal ones). */
  private async analysis(projectKey: string, analysis: SonarAnalysis): Promise<AnalysisOutcome> {
    const at = Date.parse(sonarTimeToIso(analysis?.date) ?? '');
    const id = typeof analysis?.key === 'string' && analysis.key.trim() !== '' ? analysis.key : undefined;
    const where = `project ${projectKey} analysis ${id ?? '(no key)'}`;
    if (!id) return { at, transient: false, problem: { where, error: 'the list entry has no analysis key' } };
    let gate;
    try {
      gate = await this.deps.client.projectStatus(id);
    } catch (err) {
      if (isFatal(err)) throw err;
      const gone = isUpstreamError(err) && err.code === 'not_found';
      return {
        at,
        transient: isTransient(err),
        problem: {
          where: `${where}: quality gate (GET ${PATHS.projectStatus}?analysisId=${id})`,
          error: gone
            ? `the analysis is gone (404; SonarQube housekeeping deletes old analyses): ${this.describe(err)}`
            : this.describe(err),
        },
      };
    }
    try {
      return { at, transient: false, record: mapQualityGate(projectKey, analysis, gate) };
    } catch (err) {
      if (!(err instanceof GateValueError)) throw err;
      return { at, transient: false, problem: { where, error: err.message } };
    }
  }

  /** The problem of a project whose analyses cannot be listed; undefined when the stream must fail. */
  private listProblem(key: string, err: unknown): StreamProblem | undefined {
    if (!isUpstreamError(err)) return undefined;
    const where = `project ${key} analyses (GET ${PATHS.analyses}?project=${key})`;
    if (err.code === 'forbidden') {
      // Unreadable, not unanalysed: the quality gates of this project stay undecided.
      return {
        where,
        error: `the token's user lacks the Browse permission on project ${key}: ${this.describe(err)}`,
        code: 'sonarqube-browse-forbidden',
        fix: BROWSE_FIX,
        lasting: true,
      };
    }
    if (err.code === 'not_found') {
      return {
        where,
        error: `project ${key} not found (check options.projects): ${this.describe(err)}`,
        code: 'sonarqube-project-not-found',
        fix: 'correct or remove the project key in options.projects',
        lasting: true,
      };
    }
    if (err.code === 'malformed') return { where, error: this.describe(err) };
    return undefined;
  }

  private clean(problem: StreamProblem): StreamProblem {
    const redact = (text: string) => this.deps.client.http.redact(text);
    return { ...problem, where: redact(problem.where), error: redact(problem.error) };
  }

  private describe(err: unknown): string {
    return this.deps.client.http.redact(err instanceof Error ? err.message : String(err));
  }

  private snapshot(): SonarQubeCursor {
    return { projects: { ...this.state.projects } };
  }
}

/** Errors that are not about one project or analysis: the run was cancelled, or the token stopped working. */
function isFatal(err: unknown): boolean {
  return isUpstreamError(err) && (err.code === 'aborted' || err.code === 'unauthorized');
}

/** Errors a later read may not meet. A 403 or 404 would be met again, so it does not hold the cursor. */
function isTransient(err: unknown): boolean {
  return isUpstreamError(err) && (err.retryable || err.code === 'malformed');
}
