/**
 * The `deployments` stream: every finished build of the deploy jobs (`options.deployJobs`) as a
 * `deployment` record, incremental by build number per job.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { StreamDefinition } from '@audit-hub/plugin-sdk';
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
  });
}
