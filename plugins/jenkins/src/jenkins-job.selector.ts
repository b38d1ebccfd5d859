/** Which discovered jobs each stream reads: deploy jobs for `deployments`, the others for `builds`. */

/**
 * `*deploy*` → /^.*deploy.*$/i over a job full name: `*` matches any characters, `/` included
 * (`*deploy*` matches `payments/payments-api-deploy`), everything else literally, case-insensitive
 * (Jenkins job names are mixed-case: `DeployFrontendStage`).
 */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export class JobSelector {
  private readonly deploy: RegExp[];
  private readonly build: RegExp[] | null;

  /** `buildJobs` null: every job that is not a deploy job produces artifacts. */
  constructor(deployJobs: readonly string[], buildJobs: readonly string[] | null) {
    this.deploy = deployJobs.map(globToRegExp);
    this.build = buildJobs === null ? null : buildJobs.map(globToRegExp);
  }

  isDeployJob(fullName: string): boolean {
    return this.deploy.some((pattern) => pattern.test(fullName));
  }

  /** A job named by `buildJobs` is read even when it also deploys (a pipeline that builds and deploys). */
  isBuildJob(fullName: string): boolean {
    if (this.build === null) return !this.isDeployJob(fullName);
    return this.build.some((pattern) => pattern.test(fullName));
  }
}
