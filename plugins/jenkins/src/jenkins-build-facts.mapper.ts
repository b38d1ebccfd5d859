/**
 * What a Jenkins build says about itself, read from its `actions` and exported properties: the
 * parts shared by the `deployment` and `build` records (records.md).
 */
import type { DeploymentApproval, DeploymentArtifact, TestReportSummary } from '@audit-hub/domain';
import { INTERRUPTED } from './jenkins-cause.mapper';
import type { JenkinsAction, JenkinsBuild, JenkinsParameter } from './jenkins.types';

/** Added to the run by the `input` step when someone approves it (pipeline-input-step plugin). */
const APPROVER_ACTION = 'org.jenkinsci.plugins.workflow.support.steps.input.ApproverAction';
/** The cause of interruption of a run whose `input` step was rejected (who, and when). */
const REJECTION = 'org.jenkinsci.plugins.workflow.support.steps.input.Rejection';
const JUNIT_RESULT = 'hudson.tasks.junit.TestResultAction';

type Actions = readonly (JenkinsAction | null | undefined)[] | undefined;

/**
 * Build parameters as name → string value. Booleans and numbers become their text, other objects
 * (run or file parameters) their JSON; a password parameter's value is never kept.
 */
export function parametersOf(actions: Actions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const action of actions ?? []) {
    // ApproverAction exports the input step's submitted ParametersAction as an object, not a list.
    if (!action || !Array.isArray(action.parameters) || action._class === APPROVER_ACTION) continue;
    for (const parameter of action.parameters) {
      if (typeof parameter?.name !== 'string') continue;
      out[parameter.name] = isPassword(parameter) ? '' : parameterText(parameter.value);
    }
  }
  return out;
}

/**
 * `hudson.model.PasswordParameterValue` (core; its value is not exported, but a plugin's subclass
 * or an older version might) and the Mask Passwords plugin's class of the same simple name.
 */
function isPassword(parameter: JenkinsParameter): boolean {
  return typeof parameter._class === 'string' && parameter._class.endsWith('PasswordParameterValue');
}

function parameterText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * `{total, failed}` of the build's test result action (`TestResultAction`, or any action that
 * exports `totalCount` and `failCount`, as the aggregated and Maven ones do); null when the build
 * archived no test result — Jenkins then answers 404 on `…/testReport`.
 */
export function testReportOf(actions: Actions): TestReportSummary | null {
  const results = (actions ?? []).filter(
    (action): action is JenkinsAction =>
      typeof action?.totalCount === 'number' && typeof action.failCount === 'number',
  );
  const result = results.find((action) => action._class === JUNIT_RESULT) ?? results[0];
  return result ? { total: result.totalCount as number, failed: result.failCount as number } : null;
}

/**
 * Input-step approvals. Jenkins keeps, per approval, an `ApproverAction` with the approver's user
 * id (no time); a rejection ends the run with an `InterruptedBuildAction` whose `Rejection` cause
 * names the user and the time. Each (user, status) once.
 */
export function approvalsOf(actions: Actions): DeploymentApproval[] {
  const out: DeploymentApproval[] = [];
  const seen = new Set<string>();
  const add = (approval: DeploymentApproval) => {
    const key = `${approval.user}\u0000${approval.status}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(approval);
  };
  for (const action of actions ?? []) {
    if (action?._class === APPROVER_ACTION && typeof action.userId === 'string' && action.userId) {
      add({ user: action.userId, status: 'approved' });
    }
    if (action?._class === INTERRUPTED && Array.isArray(action.causes)) {
      for (const cause of action.causes) {
        const user = cause?._class === REJECTION ? cause.user?.id : undefined;
        if (!user) continue;
        const at = typeof cause.timestamp === 'number' ? epochToIso(cause.timestamp) : undefined;
        add(at ? { user, status: 'rejected', at } : { user, status: 'rejected' });
      }
    }
  }
  return out;
}

/**
 * A job's full name as Jenkins gives it now → the identity its records keep (the name it had when
 * first read: a job moved since keeps its old one, jenkins-job-identity.ts).
 */
export type IdentityOf = (fullName: string) => string;

/** `<job fullName>#<number>` with the job named by its identity. */
export function buildRefOf(jobFullName: string, number: number | undefined, identityOf?: IdentityOf): string {
  const job = identityOf ? identityOf(jobFullName) : jobFullName;
  return typeof number === 'number' ? `${job}#${number}` : job;
}

/** The job of a `<job fullName>#<number>` reference (names cannot hold `#`: `Jenkins.checkGoodName`). */
export function jobOfBuildRef(ref: string): string {
  const at = ref.lastIndexOf('#');
  return at < 0 ? ref : ref.slice(0, at);
}

/** A fingerprinted file: its MD5 and the build that first recorded it (`<job fullName>#<number>`). */
export interface FingerprintedFile {
  fileName: string;
  md5: string;
  originBuild?: string;
}

/**
 * The build's fingerprints (`Run.getBuildFingerprints()`, exported as `fingerprint`). `original`
 * is null for a file first seen outside Jenkins, or when the user may not see the job that made it.
 */
export function fingerprintsOf(build: JenkinsBuild, identityOf?: IdentityOf): FingerprintedFile[] {
  const out: FingerprintedFile[] = [];
  for (const fingerprint of Array.isArray(build.fingerprint) ? build.fingerprint : []) {
    if (typeof fingerprint?.fileName !== 'string' || typeof fingerprint.hash !== 'string') continue;
    const original = fingerprint.original;
    const file: FingerprintedFile = { fileName: fingerprint.fileName, md5: fingerprint.hash.toLowerCase() };
    if (typeof original?.name === 'string' && typeof original.number === 'number') {
      // Jenkins renames `original` when the job moves (`Fingerprint.rename`): back to its identity.
      file.originBuild = buildRefOf(original.name, original.number, identityOf);
    }
    out.push(file);
  }
  return out;
}

export function artifactsOf(build: JenkinsBuild, identityOf?: IdentityOf): DeploymentArtifact[] {
  return fingerprintsOf(build, identityOf).map((file) => ({
    fileName: file.fileName,
    digest: file.md5,
    algorithm: 'md5',
    ...(file.originBuild ? { originBuild: file.originBuild } : {}),
  }));
}

/** Whether the build archived artifacts or fingerprinted files: the builds that produce artifacts. */
export function producedArtifacts(build: JenkinsBuild): boolean {
  const archived = Array.isArray(build.artifacts) && build.artifacts.length > 0;
  return archived || fingerprintsOf(build).length > 0;
}

/**
 * The message of a commit listed in the build's change sets (pipelines: `changeSets`, freestyle:
 * `changeSet`); they hold only the commits new since the previous build.
 */
export function commitMessageOf(build: JenkinsBuild, sha: string): string | undefined {
  if (!sha) return undefined;
  const sets = [...(Array.isArray(build.changeSets) ? build.changeSets : []), build.changeSet];
  for (const set of sets) {
    const item = (set?.items ?? []).find((entry) => entry?.commitId === sha);
    const message = item?.comment ?? item?.msg;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

/** The build as Jenkins sent it, without the value of any password parameter (records keep `raw`). */
export function rawOf(build: JenkinsBuild): JenkinsBuild {
  if (!Array.isArray(build.actions)) return build;
  return {
    ...build,
    actions: build.actions.map((action) => {
      if (!action || !Array.isArray(action.parameters)) return action;
      return {
        ...action,
        parameters: action.parameters.map((parameter) =>
          parameter && isPassword(parameter) ? { _class: parameter._class, name: parameter.name } : parameter,
        ),
      };
    }),
  };
}

/** Epoch milliseconds → ISO-8601 UTC. */
export function epochToIso(ms: number): string {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) throw new Error(`not a time: ${ms}`);
  return date.toISOString();
}
