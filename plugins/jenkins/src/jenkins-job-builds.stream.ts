/**
 * What the `deployments` and `builds` streams share: discover the jobs, tell which is which since
 * the last run (a moved job keeps its identity, jenkins-job-identity.ts), say what became of the
 * jobs no longer listed (jenkins-job-visibility.ts), pick the stream's jobs, read each one's new
 * builds page by page, map them, and yield one batch per page. The cursor of a job moves only with
 * its last page, so a run stopped half-way through a job reads it again.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type {
  Batch,
  PluginLogger,
  ReadInput,
  ServiceKeys,
  StreamDefinition,
  StreamProblem,
} from '@audit-hub/plugin-sdk';
import type { JobContext } from './jenkins-build.mapper';
import { BuildHistoryReader } from './jenkins-build-history.reader';
import { identifyJobs, parseCursor, type JenkinsJobsCursor } from './jenkins-job-identity';
import { JobProbe, missingJobVerdict, originJobProblem } from './jenkins-job-visibility';
import { discoverJobs, type DiscoveredJob } from './jenkins-jobs.resolver';
import { repositoryHintFor } from './jenkins-revision.selector';
import type { ResolvedJenkinsOptions } from './jenkins.config';
import type { JenkinsClient } from './jenkins.client';
import type { JenkinsBuild } from './jenkins.types';

export interface JenkinsStreamDeps {
  client: JenkinsClient;
  options: ResolvedJenkinsOptions;
  logger: PluginLogger;
  services: readonly ServiceKeys[];
  connectorId: string;
}

export interface JobBuildsStreamSpec {
  name: string;
  kinds: RecordKind[];
  /** Whether the stream reads this job (by its full name now). */
  selects(job: Pick<DiscoveredJob, 'fullName'>): boolean;
  /** The record of a finished build, or null when the stream does not keep it. */
  map(build: JenkinsBuild, job: JobContext): NormalizedRecord | null;
  /**
   * The jobs (by identity) whose builds a record is checked against: the producers of a
   * deployment's artifacts. Each one the `builds` stream does not read is reported once per run.
   */
  dependsOn?(record: NormalizedRecord): string[];
  /** Whether the `builds` stream reads a job (by its full name now). */
  isBuildJob?(fullName: string): boolean;
}

export function createJobBuildsStream(deps: JenkinsStreamDeps, spec: JobBuildsStreamSpec): StreamDefinition {
  return {
    name: spec.name,
    kinds: spec.kinds,
    mode: 'incremental',
    read: (input) => readJobBuilds(deps, spec, input),
  };
}

async function* readJobBuilds(
  deps: JenkinsStreamDeps,
  spec: JobBuildsStreamSpec,
  input: ReadInput,
): AsyncGenerator<Batch> {
  const state: JenkinsJobsCursor = parseCursor(input.full ? null : input.cursor);
  const snapshot = (): JenkinsJobsCursor => {
    const cursor: JenkinsJobsCursor = { jobs: { ...state.jobs } };
    if (state.known && Object.keys(state.known).length > 0) cursor.known = { ...state.known };
    return cursor;
  };
  const describe = (err: unknown) =>
    deps.client.http.redact(err instanceof Error ? err.message : String(err));

  // What the run started from: a cursor that changed (jobs moved, newest builds) is saved at the end.
  let saved = JSON.stringify(snapshot());
  const discovery = await discoverJobs(deps.client, deps.options, deps.logger, spec.kinds);
  const identities = await identifyJobs(deps.client, state, discovery.jobs, deps.logger);
  state.known = identities.known;
  const pending: StreamProblem[] = [...discovery.problems];
  const probe = new JobProbe(deps.client);
  for (const missing of identities.missing) {
    if (!spec.selects({ fullName: missing.at })) continue;
    const verdict = await missingJobVerdict(probe, discovery, missing, spec.kinds);
    if (verdict.problem) pending.push(verdict.problem);
    if (verdict.forget) {
      delete state.jobs[missing.identity];
      delete state.known[missing.identity];
    }
  }
  for (const job of identities.clashes) {
    if (!spec.selects(job)) continue;
    pending.push({
      where: `job ${job.fullName}`,
      error: `job ${job.fullName} is new where a job that has since moved used to be; that job keeps ${job.fullName} as the name of its records, so this one's builds would take their ids: it is not read`,
      kinds: spec.kinds,
      code: 'jenkins-job-name-reused',
      fix: 'rename one of the two jobs in Jenkins',
      lasting: true,
    });
  }
  const jobs = identities.jobs.filter((job) => spec.selects(job));
  deps.logger.debug(`jenkins ${spec.name}: jobs to read`, { jobs: jobs.length });

  const listed = new Set(identities.jobs.map((job) => job.identity));
  const currentName = new Map(identities.jobs.map((job) => [job.identity, job.fullName]));
  const reported = new Set<string>();
  /** A problem for each job a record depends on that the `builds` stream does not read, once per run. */
  const dependencies = async (records: NormalizedRecord[]): Promise<StreamProblem[]> => {
    const out: StreamProblem[] = [];
    for (const job of records.flatMap((record) => spec.dependsOn?.(record) ?? [])) {
      if (reported.has(job)) continue;
      reported.add(job);
      const now = currentName.get(job) ?? job;
      const problem = await originJobProblem(
        probe,
        discovery,
        now,
        listed.has(job),
        spec.isBuildJob?.(now) ?? true,
      );
      if (problem) out.push(problem);
    }
    return out;
  };

  const reader = new BuildHistoryReader(
    deps.client,
    { pageSize: deps.options.pageSize, since: input.since, kinds: spec.kinds },
    deps.logger,
  );
  for (const job of jobs) {
    const context: JobContext = {
      fullName: job.identity,
      hint: repositoryHintFor(job.identity, deps.services, deps.connectorId),
      identityOf: identities.identityOf,
    };
    const name = job.identity === job.fullName ? job.identity : `${job.identity} (now ${job.fullName})`;
    for await (const page of reader.pages(job, state.jobs[job.identity], name)) {
      const records: NormalizedRecord[] = [];
      const problems = [...pending.splice(0), ...page.problems];
      for (const build of page.builds) {
        try {
          const record = spec.map(build, context);
          if (record) records.push(record);
        } catch (err) {
          problems.push({
            where: `job ${name} build #${build.number}`,
            error: describe(err),
            kinds: spec.kinds,
          });
        }
      }
      problems.push(...(await dependencies(records)));
      if (page.mark !== undefined) state.jobs[job.identity] = page.mark;
      if (records.length === 0 && problems.length === 0 && page.mark === undefined) continue;
      const cursor = snapshot();
      saved = JSON.stringify(cursor);
      const batch: Batch = { records, cursor };
      if (problems.length > 0) batch.problems = problems;
      deps.logger.debug(`jenkins ${spec.name} page`, {
        job: name,
        builds: page.builds.length,
        records: records.length,
        problems: problems.length,
      });
      yield batch;
    }
  }
  // What was learnt of the jobs (where they are, their newest builds) is kept even when no build was new.
  if (pending.length > 0 || JSON.stringify(snapshot()) !== saved) {
    const batch: Batch = { records: [], cursor: snapshot() };
    if (pending.length > 0) batch.problems = pending.splice(0);
    yield batch;
  }
}
