/**
 * What the `deployments` and `builds` streams share: discover the jobs, pick the stream's jobs,
 * read each one's new builds page by page, map them, and yield one batch per page. The cursor of a
 * job moves only with its last page, so a run stopped half-way through a job reads it again.
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
import { BuildHistoryReader, parseCursor, type JenkinsJobsCursor } from './jenkins-build-history.reader';
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
  /** Whether the stream reads this job. */
  selects(job: DiscoveredJob): boolean;
  /** The record of a finished build, or null when the stream does not keep it. */
  map(build: JenkinsBuild, job: JobContext): NormalizedRecord | null;
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
  const snapshot = (): JenkinsJobsCursor => ({ jobs: { ...state.jobs } });
  const describe = (err: unknown) =>
    deps.client.http.redact(err instanceof Error ? err.message : String(err));

  const discovery = await discoverJobs(deps.client, deps.options, deps.logger, spec.kinds);
  const pending: StreamProblem[] = [...discovery.problems];
  const jobs = discovery.jobs.filter((job) => spec.selects(job));
  deps.logger.debug(`jenkins ${spec.name}: jobs to read`, { jobs: jobs.length });

  const reader = new BuildHistoryReader(
    deps.client,
    { pageSize: deps.options.pageSize, since: input.since, kinds: spec.kinds },
    deps.logger,
  );
  for (const job of jobs) {
    const context: JobContext = {
      fullName: job.fullName,
      hint: repositoryHintFor(job.fullName, deps.services, deps.connectorId),
    };
    for await (const page of reader.pages(job, state.jobs[job.fullName])) {
      const records: NormalizedRecord[] = [];
      const problems = [...pending.splice(0), ...page.problems];
      for (const build of page.builds) {
        try {
          const record = spec.map(build, context);
          if (record) records.push(record);
        } catch (err) {
          problems.push({
            where: `job ${job.fullName} build #${build.number}`,
            error: describe(err),
            kinds: spec.kinds,
          });
        }
      }
      if (page.mark !== undefined) state.jobs[job.fullName] = page.mark;
      if (records.length === 0 && problems.length === 0 && page.mark === undefined) continue;
      const batch: Batch = { records, cursor: snapshot() };
      if (problems.length > 0) batch.problems = problems;
      deps.logger.debug(`jenkins ${spec.name} page`, {
        job: job.fullName,
        builds: page.builds.length,
        records: records.length,
        problems: problems.length,
      });
      yield batch;
    }
  }
  if (pending.length > 0) yield { records: [], problems: pending.splice(0), cursor: snapshot() };
}
