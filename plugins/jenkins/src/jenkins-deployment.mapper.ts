/**
 * A build of a deploy job → `deployment` record (records.md; controls.md "deployment times",
 * "deployed commit", "deployment version").
 */
import type { DeploymentRecord, DeploymentStatus, NormalizedRecord } from '@audit-hub/domain';
import { causesOf, mapCause, triggeredBy, viaPipeline } from './jenkins-cause.mapper';
import {
  approvalsOf,
  artifactsOf,
  commitMessageOf,
  epochToIso,
  parametersOf,
  rawOf,
  testReportOf,
} from './jenkins-build-facts.mapper';
import type { JobContext } from './jenkins-build.mapper';
import { gitCheckouts, refOf, selectCheckout } from './jenkins-revision.selector';
import type { JenkinsBuild } from './jenkins.types';

export interface DeploymentParameters {
  environmentParameter: string;
  versionParameter: string;
}

/** Jenkins results: SUCCESS, UNSTABLE (tests failed), FAILURE, NOT_BUILT (skipped), ABORTED. */
export function mapBuildStatus(result: string | null | undefined): DeploymentStatus {
  switch ((result ?? '').toUpperCase()) {
    case 'SUCCESS':
      return 'success';
    case 'FAILURE':
    case 'UNSTABLE':
      return 'failed';
    case 'ABORTED':
    case 'NOT_BUILT':
      return 'canceled';
    case '':
      return 'running';
    default:
      return 'created';
  }
}

/**
 * controls.md "deployment version": the tag when the deployed ref is a tag; else the version
 * parameter; else the deployed commit's short SHA (8 characters, as GitLab's `short_id`).
 */
export function deploymentVersion(input: {
  isTag: boolean;
  ref: string;
  parameters: Record<string, string>;
  versionParameter: string;
  sha: string;
}): string | undefined {
  if (input.isTag && input.ref) return input.ref;
  const fromParameter = input.parameters[input.versionParameter]?.trim();
  if (fromParameter) return fromParameter;
  return input.sha ? input.sha.slice(0, 8) : undefined;
}

/** A finished build of a deploy job (number, timestamp and result checked by the reader). */
export function mapDeployment(
  build: JenkinsBuild,
  job: JobContext,
  params: DeploymentParameters,
): NormalizedRecord<'deployment'> {
  const number = build.number as number;
  const started = build.timestamp as number;
  const variables = parametersOf(build.actions);
  const causes = causesOf(build.actions).map((cause) => mapCause(cause, job.identityOf));
  const checkout = selectCheckout(gitCheckouts(build.actions), job.hint);
  const sha = checkout?.sha ?? '';
  const { ref, isTag } = refOf(checkout?.branch);
  const data: DeploymentRecord = {
    project: job.fullName,
    environment: variables[params.environmentParameter] ?? '',
    // Jenkins has no notion of an environment tier: the hub's name patterns decide.
    tier: null,
    status: mapBuildStatus(build.result),
    startedAt: epochToIso(started),
    finishedAt: epochToIso(started + (typeof build.duration === 'number' ? build.duration : 0)),
    commitSha: sha,
    ref,
    isTag,
    viaPipeline: viaPipeline(causes),
    variables,
    approvals: approvalsOf(build.actions),
    testReport: testReportOf(build.actions),
    artifacts: artifactsOf(build, job.identityOf),
    causes,
  };
  const commitMessage = commitMessageOf(build, sha);
  if (commitMessage !== undefined) data.commitMessage = commitMessage;
  const version = deploymentVersion({
    isTag,
    ref,
    parameters: variables,
    versionParameter: params.versionParameter,
    sha,
  });
  if (version !== undefined) data.version = version;
  const user = triggeredBy(causes);
  if (user !== undefined) data.triggeredBy = user;
  return { kind: 'deployment', externalId: `${job.fullName}#${number}`, data, raw: rawOf(build) };
}
