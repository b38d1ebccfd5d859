/**
 * Why a build ran (records.md `causes`: user / upstream / replay / timer / scm), who started it,
 * and whether it counts as produced by the pipeline (controls.md RM-PIPE-001: "Jenkins build
 * replayed or triggered outside the deploy job").
 */
import type { CauseType, DeploymentCause } from '@audit-hub/domain';
import type { JenkinsAction, JenkinsCause } from './jenkins.types';

const REPLAY = 'org.jenkinsci.plugins.workflow.cps.replay.ReplayCause';
export const INTERRUPTED = 'jenkins.model.InterruptedBuildAction';

/** Cause classes by type. Subclasses (`BuildUpstreamCause`, `RebuildCause`) are caught by their fields below. */
const CAUSE_TYPES: Readonly<Record<string, CauseType>> = {
  'hudson.model.Cause$UserIdCause': 'user',
  'hudson.model.Cause$UserCause': 'user',
  'hudson.model.Cause$UpstreamCause': 'upstream',
  'hudson.model.Cause$UpstreamCause$DeeplyNestedUpstreamCause': 'upstream',
  'org.jenkinsci.plugins.workflow.support.steps.build.BuildUpstreamCause': 'upstream',
  [REPLAY]: 'replay',
  'hudson.triggers.TimerTrigger$TimerTriggerCause': 'timer',
  'org.jenkinsci.plugins.parameterizedscheduler.ParameterizedTimerTriggerCause': 'timer',
  'hudson.triggers.SCMTrigger$SCMTriggerCause': 'scm',
  'jenkins.branch.BranchIndexingCause': 'scm',
  'jenkins.branch.BranchEventCause': 'scm',
  'com.cloudbees.jenkins.GitHubPushCause': 'scm',
  'com.dabsquared.gitlabjenkins.cause.GitLabWebHookCause': 'scm',
  'hudson.plugins.git.GitStatus$CommitHookCause': 'scm',
  'org.jenkinsci.plugins.gwt.GenericCause': 'scm',
};

/** The causes of a build (`hudson.model.CauseAction`), in Jenkins' order. */
export function causesOf(actions: readonly (JenkinsAction | null | undefined)[] | undefined): JenkinsCause[] {
  const out: JenkinsCause[] = [];
  for (const action of actions ?? []) {
    if (!action || !Array.isArray(action.causes)) continue;
    // InterruptedBuildAction also exports `causes`: of the interruption, not of the build.
    if (action._class === INTERRUPTED) continue;
    for (const cause of action.causes) if (cause && typeof cause === 'object') out.push(cause);
  }
  return out;
}

/**
 * `identityOf`: the upstream job as its records name it (a job that moved since keeps the name it
 * had when first read; the cause holds the name at the time of the build).
 */
export function mapCause(cause: JenkinsCause, identityOf?: (fullName: string) => string): DeploymentCause {
  const type = causeType(cause);
  const out: DeploymentCause = { type };
  if (type === 'user') {
    const user = cause.userId ?? (cause._class === 'hudson.model.Cause$UserCause' ? cause.userName : null);
    if (user) out.user = user;
  }
  if (type === 'upstream' && cause.upstreamProject) {
    const job = identityOf ? identityOf(cause.upstreamProject) : cause.upstreamProject;
    out.upstream = typeof cause.upstreamBuild === 'number' ? `${job}#${cause.upstreamBuild}` : job;
  }
  if (cause.shortDescription) out.description = cause.shortDescription;
  return out;
}

/**
 * A cause's type by its class; without `_class` (Jenkins 1.x) by its fields: a user id or name
 * is a user cause, an upstream project an upstream cause.
 */
export function causeType(cause: JenkinsCause): CauseType {
  const known = cause._class ? CAUSE_TYPES[cause._class] : undefined;
  if (known) return known;
  if (cause.upstreamProject !== undefined) return 'upstream';
  if (cause.userId !== undefined || cause.userName !== undefined) return 'user';
  if (/^Replayed #\d+/.test(cause.shortDescription ?? '')) return 'replay';
  return 'other';
}

/** The user id of the first user cause (`UserIdCause.userId`); none for an anonymous or automatic start. */
export function triggeredBy(causes: readonly DeploymentCause[]): string | undefined {
  return causes.find((cause) => cause.type === 'user' && cause.user)?.user;
}

/**
 * A replay (`ReplayCause`) runs a script edited in the UI instead of the job's reviewed
 * Jenkinsfile: not produced by the pipeline. Every other cause (user, upstream, timer, scm) is a
 * run of the deploy job as configured; the causes are recorded as they are for the controls.
 */
export function viaPipeline(causes: readonly DeploymentCause[]): boolean {
  return !causes.some((cause) => cause.type === 'replay');
}
