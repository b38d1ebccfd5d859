/**
 * The `deployments` stream: every finished build of the deploy jobs (`options.deployJobs`) as a
 * `deployment` record, incremental by build number per job.
 */
import type { DeploymentRecord, NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { StreamDefinition } from '@audit-hub/plugin-sdk';
import { jobOfBuildRef } from './jenkins-build-facts.mapper';
import { mapDeployment } from './jenkins-deployment.mapper';
import { JobSelector } from './jenkins-job.selector';
import { createJobBuildsStream, type JenkinsStreamDeps } from './jenkins-job-builds.stream';

export const DEPLOYMENTS_STREAM = 'deployments';
export const DEPLOYMENTS_KINDS: RecordKind[] = ['deployment'];

export function createDeploymentsStream(deps: JenkinsStreamDeps): StreamDefinition {
  const selector = new JobSelector(deps.options.deployJobs, deps.options.buildJobs);
  const parameters = {
    environmentParameter: deps.options.environmentParameter,
    versionParameter: deps.options.versionParameter,
  };
  return createJobBuildsStream(deps, {
    name: DEPLOYMENTS_STREAM,
    kinds: DEPLOYMENTS_KINDS,
    selects: (job) => selector.isDeployJob(job.fullName),
    map: (build, job) => mapDeployment(build, job, parameters),
    dependsOn: producersOf,
    isBuildJob: (fullName) => selector.isBuildJob(fullName),
  });
}

/**
 * The jobs RM-ART-001 looks up the producing builds in: per artifact, the fingerprint's `original`
 * (unless it is the deploy build itself), else the build's upstream cause.
 */
export function producersOf(record: NormalizedRecord): string[] {
  const data = record.data as DeploymentRecord;
  const upstream = (data.causes ?? []).find((cause) => cause.type === 'upstream')?.upstream;
  const jobs = new Set<string>();
  for (const artifact of data.artifacts ?? []) {
    if (artifact.originBuild === record.externalId) continue;
    const origin = artifact.originBuild ?? upstream;
    if (origin) jobs.add(jobOfBuildRef(origin));
  }
  return [...jobs];
}
