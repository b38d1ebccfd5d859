import { JENKINS_LIBRARY_URL } from './estate.catalog';
import { MINUTE, SECOND, iso } from './estate.clock';
import type {
  CiBuild,
  CiCause,
  CiCheckout,
  CiFingerprint,
  CiParameter,
  Estate,
  QualityAnalysis,
  Service,
  TestReport,
} from './estate.model';
import { stableHexId, type Rng } from './prng.util';
import { recordAnalysis } from './quality.builder';
import {
  mergeWork,
  passingTests,
  recordInstalledVersion,
  type MrSpec,
  type MergedWork,
} from './release.builder';

/**
 * One release of a Jenkins-deployed service, the way Jenkins records it: MRs merged in GitLab; the
 * build job checks out the shared library and the repository, runs the tests (JUnit) and archives
 * the jar with a fingerprint; the deploy job, started by the build (upstream cause), deploys it to
 * staging; later a release manager starts the deploy job for production with the change number as
 * a parameter, and an SRE approves its input step. Every deploy build fingerprints the jar it
 * deployed, whose `original` is the build job's build, and runs smoke tests.
 */

export type ProductionStart = 'user' | 'replay' | 'upstream';

/** How the production deploy build came by its artifact. */
export type ArtifactStory =
  /** The build job's jar of this release (routine). */
  | { kind: 'built' }
  /** The jar was rebuilt on the deploy agent: its first fingerprint is the deploy build's own. */
  | { kind: 'never-built' }
  /** Another file under the build's name: Jenkins cannot tell where it came from (`original` null). */
  | { kind: 'replaced' };

export interface JenkinsProductionSpec {
  at: number;
  deployer: string;
  variables: { name: string; value: string }[];
  /** The input step's approver (none: no input step). */
  approver?: string;
  start?: ProductionStart;
  artifact?: ArtifactStory;
  /** Smoke tests archived as JUnit (default true). */
  junit?: boolean;
  result?: CiBuild['result'];
}

export interface JenkinsReleaseSpec {
  service: string;
  buildAt: number;
  mrs: MrSpec[];
  directCommit?: { message: string; author: string };
  production: JenkinsProductionSpec | null;
  analysis?: { status: QualityAnalysis['status'] } | null;
  rng: Rng;
}

export interface JenkinsRelease {
  work: MergedWork;
  version: string;
  build: CiBuild;
  staging: CiBuild;
  production?: CiBuild;
  /** Start of the production deploy build, or the build's start; finish of the last build. */
  firstStart: number;
  lastFinish: number;
}

const UPSTREAM = (job: string, number: number): CiCause => ({ type: 'upstream', job, number });

function serviceOf(
  estate: Estate,
  name: string,
): Service & { jenkins: { deployJob: string; buildJob: string } } {
  const service = estate.services.find((s) => s.name === name);
  if (!service?.jenkins) throw new Error(`jenkins release: "${name}" is not deployed by Jenkins`);
  return service as Service & { jenkins: { deployJob: string; buildJob: string } };
}

/** `git@gitlab.acme.com:acme/settlement-engine.git`: how the Jenkinsfiles check the repositories out. */
export function repositoryUrl(estate: Estate, service: Service): string {
  return `git@gitlab.${estate.organization.domain}:${service.gitlabPath}.git`;
}

/** The shared library's commit of a day: it changes rarely, and every build of the day loads it. */
function libraryCheckout(estate: Estate, at: number): CiCheckout {
  const day = Math.floor(at / (24 * 60 * MINUTE));
  return {
    remoteUrl: JENKINS_LIBRARY_URL,
    sha:
      stableHexId(estate.seed, 'library', Math.floor(day / 7)) +
      stableHexId(estate.seed, 'lib', day).slice(0, 8),
    branch: 'origin/main',
  };
}

function nextNumber(estate: Estate, job: string): number {
  const number = estate.cursor.jenkinsNumbers[job] ?? 1;
  estate.cursor.jenkinsNumbers[job] = number + 1;
  return number;
}

function smokeTests(rng: Rng): TestReport {
  return { total: rng.int(12, 40), failed: 0, skipped: 0, errored: 0, durationSeconds: rng.int(20, 90) };
}

function jarOf(service: string, version: string): { fileName: string; relativePath: string } {
  const fileName = `${service}-${version}.jar`;
  return { fileName, relativePath: `target/${fileName}` };
}

function digest(estate: Estate, ...parts: (string | number)[]): string {
  return stableHexId(estate.seed, 'artifact', ...parts);
}

function deployParameters(
  environment: string,
  version: string,
  extra: { name: string; value: string }[],
): CiParameter[] {
  return [
    { name: 'ENVIRONMENT', value: environment, kind: 'string' },
    { name: 'VERSION', value: version, kind: 'string' },
    ...extra.map((p) => ({ ...p, kind: 'string' as const })),
    { name: 'DRY_RUN', value: false, kind: 'boolean' },
    // Jenkins never exports a password parameter's value: only its name reaches the API.
    { name: 'DEPLOY_TOKEN', value: '', kind: 'password' },
  ];
}

export function buildJenkinsRelease(estate: Estate, spec: JenkinsReleaseSpec): JenkinsRelease {
  const { rng } = spec;
  const service = serviceOf(estate, spec.service);
  const cursor = estate.cursor.services[service.name];
  const work = mergeWork(estate, { ...spec, pipelineAt: spec.buildAt });
  cursor.version = rng.chance(0.3)
    ? [cursor.version[0], cursor.version[1] + 1, 0]
    : [cursor.version[0], cursor.version[1], cursor.version[2] + 1];
  const version = cursor.version.join('.');
  const head = work.headCommit.sha;
  const repo = (at: number): CiCheckout[] => [
    libraryCheckout(estate, at),
    { remoteUrl: repositoryUrl(estate, service), sha: head, branch: 'origin/main' },
  ];
  const { buildJob, deployJob } = service.jenkins;
  const jar = jarOf(service.name, version);

  const buildNumber = nextNumber(estate, buildJob);
  const buildStart = spec.buildAt + rng.int(5, 30) * SECOND;
  const buildDuration = rng.int(4, 9) * MINUTE + rng.int(0, 59) * SECOND;
  const build: CiBuild = {
    job: buildJob,
    number: buildNumber,
    service: service.name,
    startedAt: iso(buildStart),
    durationMs: buildDuration,
    result: 'SUCCESS',
    parameters: [],
    causes: [{ type: 'scm' }],
    checkouts: repo(buildStart),
    artifacts: [jar],
    fingerprints: [
      {
        fileName: jar.fileName,
        md5: digest(estate, service.name, version),
        original: { job: buildJob, number: buildNumber },
      },
    ],
    testReport: passingTests(rng),
    approvers: [],
    changeSet: work.commits.map((c) => ({ sha: c.sha, message: c.message, author: c.authorUserName })),
  };
  if (spec.analysis !== null) {
    recordAnalysis(
      estate,
      service.name,
      head,
      buildStart + 3 * MINUTE,
      version,
      spec.analysis?.status ?? 'OK',
      rng,
    );
  }
  const built: CiFingerprint = build.fingerprints[0];

  const stagingStart = buildStart + buildDuration + rng.int(20, 60) * SECOND;
  const stagingDuration = rng.int(2, 5) * MINUTE;
  const staging: CiBuild = {
    job: deployJob,
    number: nextNumber(estate, deployJob),
    service: service.name,
    startedAt: iso(stagingStart),
    durationMs: stagingDuration,
    result: 'SUCCESS',
    parameters: deployParameters('staging', version, []),
    causes: [UPSTREAM(buildJob, buildNumber)],
    checkouts: repo(stagingStart),
    artifacts: [],
    fingerprints: [built],
    testReport: smokeTests(rng),
    approvers: [],
    changeSet: build.changeSet,
    environment: 'staging',
    version,
  };
  estate.ciBuilds.push(build, staging);

  let production: CiBuild | undefined;
  let lastFinish = stagingStart + stagingDuration;
  if (spec.production) {
    const p = spec.production;
    if (p.at <= lastFinish)
      throw new Error(`jenkins release: ${service.name} deploys at ${iso(p.at)}, before staging finished`);
    const number = nextNumber(estate, deployJob);
    const duration = rng.int(2, 6) * MINUTE + rng.int(0, 59) * SECOND;
    const start = p.start ?? 'user';
    const causes: CiCause[] =
      start === 'replay'
        ? [
            { type: 'replay', number: staging.number, userName: p.deployer },
            { type: 'user', userName: p.deployer },
          ]
        : start === 'upstream'
          ? [UPSTREAM(buildJob, buildNumber)]
          : [{ type: 'user', userName: p.deployer }];
    const story = p.artifact ?? { kind: 'built' };
    const fingerprint: CiFingerprint =
      story.kind === 'built'
        ? built
        : story.kind === 'never-built'
          ? {
              fileName: jar.fileName,
              md5: digest(estate, service.name, version, 'agent'),
              original: { job: deployJob, number },
            }
          : {
              fileName: jar.fileName,
              md5: digest(estate, service.name, version, 'replaced'),
              original: null,
            };
    production = {
      job: deployJob,
      number,
      service: service.name,
      startedAt: iso(p.at),
      durationMs: duration,
      result: p.result ?? 'SUCCESS',
      parameters: deployParameters('production', version, p.variables),
      causes:
        story.kind === 'replaced' && start !== 'upstream'
          ? [...causes, UPSTREAM(buildJob, buildNumber)]
          : causes,
      checkouts: repo(p.at),
      artifacts: [],
      fingerprints: [fingerprint],
      testReport: p.junit === false ? null : smokeTests(rng),
      approvers: p.approver ? [p.approver] : [],
      changeSet: [],
      environment: 'production',
      version,
    };
    estate.ciBuilds.push(production);
    lastFinish = p.at + duration;
    if (production.result === 'SUCCESS')
      recordInstalledVersion(estate, service.name, lastFinish, production.version!);
  }
  return {
    work,
    version,
    build,
    staging,
    ...(production ? { production } : {}),
    firstStart: production ? Date.parse(production.startedAt) : buildStart,
    lastFinish,
  };
}

export interface JenkinsRedeploySpec {
  /** The earlier release whose jar and commit go back to production. */
  release: JenkinsRelease;
  at: number;
  deployer: string;
  variables: { name: string; value: string }[];
  approver?: string;
  rng: Rng;
}

/**
 * A production redeploy of an earlier release: the deploy job started by hand for its version,
 * deploying the jar its build job archived (the fingerprint's `original` is that build) from the
 * commit it built. Nothing is merged or built.
 */
export function buildJenkinsRedeploy(estate: Estate, spec: JenkinsRedeploySpec): CiBuild {
  const { release, rng } = spec;
  const service = serviceOf(estate, release.build.service ?? '');
  const duration = rng.int(2, 6) * MINUTE;
  const redeploy: CiBuild = {
    job: service.jenkins.deployJob,
    number: nextNumber(estate, service.jenkins.deployJob),
    service: service.name,
    startedAt: iso(spec.at),
    durationMs: duration,
    result: 'SUCCESS',
    parameters: deployParameters('production', release.version, spec.variables),
    causes: [{ type: 'user', userName: spec.deployer }],
    checkouts: [
      libraryCheckout(estate, spec.at),
      release.build.checkouts[release.build.checkouts.length - 1],
    ],
    artifacts: [],
    fingerprints: [release.build.fingerprints[0]],
    testReport: smokeTests(rng),
    approvers: spec.approver ? [spec.approver] : [],
    changeSet: [],
    environment: 'production',
    version: release.version,
  };
  estate.ciBuilds.push(redeploy);
  recordInstalledVersion(estate, service.name, spec.at + duration, release.version);
  return redeploy;
}

/** A nightly run of a maintenance job (no artifacts, no tests): started by the timer. */
export function buildMaintenanceRun(estate: Estate, job: string, at: number, rng: Rng): CiBuild {
  const run: CiBuild = {
    job,
    number: nextNumber(estate, job),
    service: null,
    startedAt: iso(at),
    durationMs: rng.int(30, 300) * SECOND,
    result: rng.chance(0.05) ? 'FAILURE' : 'SUCCESS',
    parameters: [],
    causes: [{ type: 'timer' }],
    checkouts: [],
    artifacts: [],
    fingerprints: [],
    testReport: null,
    approvers: [],
    changeSet: [],
  };
  estate.ciBuilds.push(run);
  return run;
}
