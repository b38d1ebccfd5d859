/**
 * The `builds` stream: the finished builds of the jobs that produce artifacts (`options.buildJobs`,
 * by default every job that is not a deploy job) that archived or fingerprinted files, as `build`
 * records — the other side of RM-ART-001's comparison. Incremental by build number per job.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { StreamDefinition } from '@audit-hub/plugin-sdk';
import { producedArtifacts } from './jenkins-build-facts.mapper';
import { mapBuild } from './jenkins-build.mapper';
import { JobSelector } from './jenkins-job.selector';
import { createJobBuildsStream, type JenkinsStreamDeps } from './jenkins-job-builds.stream';

export const BUILDS_STREAM = 'builds';
export const BUILDS_KINDS: RecordKind[] = ['build'];

export function createBuildsStream(deps: JenkinsStreamDeps): StreamDefinition {
  const selector = new JobSelector(deps.options.deployJobs, deps.options.buildJobs);
  return createJobBuildsStream(deps, {
    name: BUILDS_STREAM,
    kinds: BUILDS_KINDS,
    selects: (job) => selector.isBuildJob(job.fullName),
    map: (build, job) => (producedArtifacts(build) ? mapBuild(build, job) : null),
  });
}
