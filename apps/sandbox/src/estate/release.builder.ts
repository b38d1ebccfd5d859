import { WORK_OBJECTS, WORK_PLACES, WORK_VERBS } from './estate.catalog';
import { HOUR, MINUTE, SECOND, iso } from './estate.clock';
import type {
  Commit,
  CommitSignature,
  Deployment,
  DeploymentApproval,
  DeployJob,
  Estate,
  MergeRequest,
  Pipeline,
  PipelineVariable,
  QualityAnalysis,
  RunStatus,
  SignatureStatus,
  TestReport,
} from './estate.model';
import type { Rng } from './prng.util';
import { recordAnalysis } from './quality.builder';

/**
 * Builds one release of a service the way GitLab records it: MRs merged to `main` (each with its
 * commits and a merge commit), optionally a direct commit on top, one pipeline whose jobs deploy to
 * staging automatically and to the manual environments when someone plays them. It appends the
 * records to the estate and moves the service's cursor; it decides nothing about changes.
 */

export interface MrSpec {
  title: string;
  description: string;
  author: string;
  approver: string;
  merger: string;
  /** Who approved it (default: `[approver]`); `[]` for an MR merged without approval. */
  approvedBy?: string[];
  /** GitLab's required approvals (default 1). */
  approvalsRequired?: number;
  /** The signature of the MR's first commit (default `verified`). */
  firstCommitSignature?: SignatureStatus | 'unsigned';
}

/** Either a signature status or no signature at all. */
export type SignatureChoice = SignatureStatus | 'unsigned';

export interface ReleaseSpec {
  service: string;
  /** When the pipeline is created (after the MRs are merged). */
  pipelineAt: number;
  /** Deploy to the service's staging environment automatically once the tests pass. */
  staging: boolean;
  /** Environments deployed by manual jobs: the first at `deployAt`, each next one 10 minutes after the previous finished. */
  manualEnvs: string[];
  deployAt: number;
  mrs: MrSpec[];
  /** A commit pushed straight to `main` after the merges: the deployed commit then. */
  directCommit?: { message: string; author: string; signature?: SignatureChoice };
  /** Deploy the release tag `v<version>` instead of `main`. */
  tag: boolean;
  /** Variables given when running the pipeline by hand (a pipeline with variables has source `web`). */
  variables: PipelineVariable[];
  /** Add `VERSION=<version>` to the variables (only on branch pipelines). */
  versionVariable: boolean;
  /** Who plays the manual jobs. */
  deployer: string;
  /** What happens to the first manual deployment. */
  outcome: 'success' | 'failed' | 'failed-then-retry';
  /** Who approves each manual deployment of a production environment (protected environments). */
  envApprovers?: string[];
  /** The pipeline's test report: `undefined` a passing one, `null` none archived. */
  testReport?: TestReport | null;
  /** The SonarQube analysis of the pipeline's commit: default OK minutes after the pipeline started; null none. */
  analysis?: { status: QualityAnalysis['status']; afterMinutes?: number } | null;
  rng: Rng;
}

export interface ReleaseResult {
  pipeline: Pipeline;
  deployments: Deployment[];
  /** The deployments of the manual environments in order, a failed first attempt included. */
  manualDeployments: Deployment[];
  mergeRequests: MergeRequest[];
  headCommit: Commit;
  version: string;
  /** First manual start and last manual finish (ms); the pipeline's bounds when there is none. */
  firstStart: number;
  lastFinish: number;
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

export function workTitle(rng: Rng): string {
  return `${rng.pick(WORK_VERBS)} ${rng.pick(WORK_OBJECTS)} ${rng.pick(WORK_PLACES)}`;
}

export function workDescription(rng: Rng, title: string): string {
  const why = rng.pick([
    'Customers reported intermittent failures here.',
    'Follow-up from the last incident review.',
    'Needed for the next quarterly release.',
    'Reduces noise in the on-call dashboards.',
    'Requested by the security review.',
  ]);
  return `${title}.\n\n${why}\n\nTesting: unit and contract tests pass locally and in CI.`;
}

function signature(rng: Rng, signer: string, status: SignatureChoice): CommitSignature | null {
  const type = rng.chance(0.2) ? 'x509' : 'gpg';
  const keyId = rng.hex(16).toUpperCase();
  return status === 'unsigned' ? null : { type, status, keyId, signerUserName: signer };
}

/** A passing test report of a routine pipeline. */
export function passingTests(rng: Rng): TestReport {
  return {
    total: rng.int(120, 480),
    failed: 0,
    skipped: rng.int(0, 6),
    errored: 0,
    durationSeconds: rng.int(30, 200),
  };
}

/**
 * The version a deployment of this pipeline has (controls.md "deployment version"): the tag, else
 * the `VERSION` variable, else the short SHA. The CMDB records it without the tag's leading `v`.
 */
export function deployedVersion(pipeline: Pipeline): string {
  if (pipeline.tag) return pipeline.ref.replace(/^v/, '');
  const variable = pipeline.variables.find((v) => v.key === 'VERSION');
  return variable ? variable.value : pipeline.sha.slice(0, 8);
}

/** Records the version a successful production deployment installed, unless the CMDB stopped syncing. */
export function recordInstalledVersion(estate: Estate, service: string, at: number, version: string): void {
  const ci = estate.configItems.find((c) => c.service === service);
  if (!ci) return;
  if (ci.versionSyncStoppedAt && ci.versionSyncStoppedAt <= iso(at)) return;
  ci.versions.push({ at: iso(at), version });
}

export interface MergedWork {
  commits: Commit[];
  mergeRequests: MergeRequest[];
  headCommit: Commit;
  /** The default branch's head before the work. */
  shaBefore: string;
}

/**
 * Merge requests merged one after another in the hours before `pipelineAt` (each with its commits
 * and a merge commit), then optionally a direct commit: appended to the estate, the service's head
 * moved, and each MR queued as pending for every environment of the service.
 */
export function mergeWork(
  estate: Estate,
  spec: Pick<ReleaseSpec, 'service' | 'pipelineAt' | 'mrs' | 'directCommit' | 'rng'>,
): MergedWork {
  const { rng } = spec;
  const service = estate.services.find((s) => s.name === spec.service);
  if (!service) throw new Error(`mergeWork: unknown service "${spec.service}"`);
  const cursor = estate.cursor.services[service.name];
  const environments = estate.environments.filter((e) => e.service === service.name);
  const commits: Commit[] = [];
  const mergeRequests: MergeRequest[] = [];
  const shaBefore = cursor.headSha;

  // Merge requests, merged one after another in the hours before the pipeline.
  let mergeAt = spec.pipelineAt - spec.mrs.length * rng.int(8, 40) * MINUTE - 5 * MINUTE;
  for (const mr of spec.mrs) {
    const iid = cursor.nextMrIid++;
    const id = estate.cursor.nextMrId++;
    const branch = `feature/${mr.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40)}-${cursor.branchSeq++}`;
    const createdAt = mergeAt - rng.int(6, 72) * HOUR;
    const ownCommits: Commit[] = [];
    const count = rng.int(1, 3);
    let parent = cursor.headSha;
    for (let i = 0; i < count; i++) {
      const at =
        createdAt - HOUR + Math.floor(((mergeAt - 20 * MINUTE - (createdAt - HOUR)) * (i + 1)) / (count + 1));
      const title =
        i === 0 ? mr.title : rng.pick(['Address review comments', 'Add tests', 'Fix lint warnings']);
      const commit: Commit = {
        sha: rng.hex(40),
        service: service.name,
        title,
        message: `${title}\n`,
        authorUserName: mr.author,
        committerUserName: mr.author,
        authoredAt: iso(at),
        committedAt: iso(at),
        parentShas: [parent],
        signature: signature(rng, mr.author, i === 0 ? (mr.firstCommitSignature ?? 'verified') : 'verified'),
        additions: rng.int(3, 240),
        deletions: rng.int(0, 90),
      };
      parent = commit.sha;
      ownCommits.push(commit);
    }
    // GitLab's default merge commit message carries the MR title, never its description.
    const mergeTitle = `Merge branch '${branch}' into 'main'`;
    const mergeCommit: Commit = {
      sha: rng.hex(40),
      service: service.name,
      title: mergeTitle,
      message: `${mergeTitle}\n\n${mr.title}\n\nSee merge request ${service.gitlabPath}!${iid}`,
      authorUserName: mr.merger,
      committerUserName: mr.merger,
      authoredAt: iso(mergeAt),
      committedAt: iso(mergeAt),
      parentShas: [cursor.headSha, parent],
      signature: {
        type: 'gpg',
        status: 'verified_system',
        keyId: 'GITLAB-WEB-FLOW',
        signerUserName: mr.merger,
      },
      additions: ownCommits.reduce((n, c) => n + c.additions, 0),
      deletions: ownCommits.reduce((n, c) => n + c.deletions, 0),
    };
    commits.push(...ownCommits, mergeCommit);
    cursor.headSha = mergeCommit.sha;
    const approvedBy = mr.approvedBy ?? [mr.approver];
    mergeRequests.push({
      id,
      iid,
      service: service.name,
      title: mr.title,
      description: mr.description,
      authorUserName: mr.author,
      reviewerUserNames: approvedBy.length > 0 ? approvedBy : [mr.approver],
      approvedBy,
      approvalsRequired: mr.approvalsRequired ?? 1,
      sourceBranch: branch,
      targetBranch: 'main',
      state: 'merged',
      createdAt: iso(createdAt),
      updatedAt: iso(mergeAt),
      mergedAt: iso(mergeAt),
      mergedByUserName: mr.merger,
      mergeCommitSha: mergeCommit.sha,
      commitShas: ownCommits.map((c) => c.sha),
      labels: [rng.pick(['backend', 'maintenance', 'feature', 'bug'])],
    });
    for (const env of environments) (cursor.pendingMrs[env.name] ??= []).push(iid);
    mergeAt += rng.int(8, 40) * MINUTE;
  }

  if (spec.directCommit) {
    const at = spec.pipelineAt - 3 * MINUTE;
    const title = spec.directCommit.message.split('\n')[0];
    const commit: Commit = {
      sha: rng.hex(40),
      service: service.name,
      title,
      message: spec.directCommit.message.endsWith('\n')
        ? spec.directCommit.message
        : `${spec.directCommit.message}\n`,
      authorUserName: spec.directCommit.author,
      committerUserName: spec.directCommit.author,
      authoredAt: iso(at),
      committedAt: iso(at),
      parentShas: [cursor.headSha],
      signature: signature(rng, spec.directCommit.author, spec.directCommit.signature ?? 'verified'),
      additions: rng.int(1, 12),
      deletions: rng.int(0, 4),
    };
    commits.push(commit);
    cursor.headSha = commit.sha;
  }
  const headCommit = commits[commits.length - 1];
  if (!headCommit)
    throw new Error(`mergeWork: a release of ${service.name} needs at least one MR or direct commit`);
  estate.commits.push(...commits);
  estate.mergeRequests.push(...mergeRequests);
  return { commits, mergeRequests, headCommit, shaBefore };
}

function bumpVersion(version: [number, number, number], rng: Rng): [number, number, number] {
  return rng.chance(0.3) ? [version[0], version[1] + 1, 0] : [version[0], version[1], version[2] + 1];
}

export function buildRelease(estate: Estate, spec: ReleaseSpec): ReleaseResult {
  const { rng } = spec;
  const service = estate.services.find((s) => s.name === spec.service);
  if (!service) throw new Error(`buildRelease: unknown service "${spec.service}"`);
  const cursor = estate.cursor.services[service.name];
  const environments = estate.environments.filter((e) => e.service === service.name);
  const envByName = new Map(environments.map((e) => [e.name, e]));
  const { mergeRequests, headCommit, shaBefore } = mergeWork(estate, spec);

  cursor.version = bumpVersion(cursor.version, rng);
  const version = cursor.version.join('.');
  const variables: PipelineVariable[] = [
    ...(spec.versionVariable && !spec.tag ? [{ key: 'VERSION', value: version }] : []),
    ...spec.variables,
  ];
  const lastMerger = spec.mrs.length > 0 ? spec.mrs[spec.mrs.length - 1].merger : spec.directCommit!.author;
  const pipelineCreated = spec.pipelineAt;
  const pipelineStarted = pipelineCreated + rng.int(10, 40) * SECOND;
  const testsDone = pipelineStarted + rng.int(3, 8) * MINUTE;
  const pipeline: Pipeline = {
    id: estate.cursor.nextPipelineId++,
    iid: cursor.nextPipelineIid++,
    service: service.name,
    name: spec.tag ? 'Release pipeline' : 'Build and deploy',
    ref: spec.tag ? `v${version}` : 'main',
    tag: spec.tag,
    sha: headCommit.sha,
    // A tag push is a new ref: GitLab reports the zero SHA as its before_sha.
    beforeSha: spec.tag ? ZERO_SHA : shaBefore,
    source: variables.length > 0 ? 'web' : 'push',
    createdAt: iso(pipelineCreated),
    startedAt: iso(pipelineStarted),
    finishedAt: iso(testsDone),
    status: 'success',
    triggeredBy: variables.length > 0 || spec.tag ? spec.deployer : lastMerger,
    variables,
    testReport: spec.testReport === undefined ? passingTests(rng) : spec.testReport,
  };
  if (spec.analysis !== null) {
    const analysis = spec.analysis ?? { status: 'OK' as const };
    const after = analysis.afterMinutes ?? rng.int(2, 5);
    recordAnalysis(
      estate,
      service.name,
      headCommit.sha,
      pipelineStarted + after * MINUTE,
      version,
      analysis.status,
      rng,
    );
  }

  const deployments: Deployment[] = [];
  const manualDeployments: Deployment[] = [];
  const jobCreated = pipelineCreated + 2 * SECOND;
  const deploy = (
    envName: string,
    jobName: string,
    manual: boolean,
    createdAt: number,
    startedAt: number,
    status: RunStatus,
    userName: string,
  ): Deployment => {
    const env = envByName.get(envName);
    if (!env) throw new Error(`buildRelease: ${service.name} has no environment "${envName}"`);
    const finishedAt = startedAt + rng.int(60, 360) * SECOND;
    const approvals: DeploymentApproval[] =
      manual && env.tier === 'production'
        ? (spec.envApprovers ?? []).map((userName, i) => ({
            userName,
            status: 'approved' as const,
            at: iso(startedAt - (20 - 7 * i) * MINUTE),
            comment: i === 0 ? 'Change approved, go ahead.' : null,
          }))
        : [];
    const job: DeployJob = {
      id: estate.cursor.nextJobId++,
      name: jobName,
      stage: 'deploy',
      createdAt: iso(createdAt),
      startedAt: iso(startedAt),
      finishedAt: iso(finishedAt),
      status,
      manual,
      userName,
    };
    // GitLab links the MRs merged since the previous successful deployment, on success only.
    const shipped = status === 'success' ? [...(cursor.pendingMrs[envName] ?? [])] : [];
    if (status === 'success') cursor.pendingMrs[envName] = [];
    const deployment: Deployment = {
      id: estate.cursor.nextDeploymentId++,
      iid: cursor.nextDeploymentIid++,
      service: service.name,
      environment: envName,
      environmentId: env.id,
      status,
      ref: pipeline.ref,
      tag: spec.tag,
      sha: pipeline.sha,
      createdAt: iso(createdAt),
      finishedAt: iso(finishedAt),
      updatedAt: iso(finishedAt),
      triggeredBy: userName,
      pipelineId: pipeline.id,
      job,
      mergeRequestIids: shipped,
      version,
      approvals,
    };
    deployments.push(deployment);
    return deployment;
  };

  let lastFinish = testsDone;
  if (spec.staging && envByName.has('staging')) {
    const d = deploy(
      'staging',
      'deploy-staging',
      false,
      jobCreated,
      testsDone + 5 * SECOND,
      'success',
      pipeline.triggeredBy,
    );
    lastFinish = Date.parse(d.finishedAt);
  }
  let firstStart = spec.manualEnvs.length > 0 ? spec.deployAt : pipelineStarted;
  if (spec.manualEnvs.length > 0 && spec.deployAt <= lastFinish) {
    throw new Error(
      `buildRelease: ${service.name} deploys at ${iso(spec.deployAt)}, before its pipeline is ready`,
    );
  }
  let next = spec.deployAt;
  spec.manualEnvs.forEach((envName, index) => {
    const outcome = index === 0 ? spec.outcome : 'success';
    const first = deploy(
      envName,
      `deploy-${envName}`,
      true,
      jobCreated,
      next,
      outcome === 'success' ? 'success' : 'failed',
      spec.deployer,
    );
    manualDeployments.push(first);
    let finished = Date.parse(first.finishedAt);
    if (outcome === 'failed-then-retry') {
      const retryAt = finished + rng.int(3, 10) * MINUTE;
      const retry = deploy(
        envName,
        `deploy-${envName}`,
        true,
        retryAt,
        retryAt + 5 * SECOND,
        'success',
        spec.deployer,
      );
      manualDeployments.push(retry);
      finished = Date.parse(retry.finishedAt);
    }
    lastFinish = finished;
    next = finished + 10 * MINUTE;
  });
  if (spec.manualEnvs.length === 0) firstStart = pipelineStarted;

  const finalStatus = deployments.length > 0 ? deployments[deployments.length - 1].status : 'success';
  pipeline.finishedAt = iso(Math.max(lastFinish, testsDone));
  pipeline.status = finalStatus;

  estate.pipelines.push(pipeline);
  estate.deployments.push(...deployments);

  const released = manualDeployments.find((d) => d.status === 'success' && isProductionEnv(estate, d));
  if (released)
    recordInstalledVersion(estate, service.name, Date.parse(released.finishedAt), deployedVersion(pipeline));

  return {
    pipeline,
    deployments,
    manualDeployments,
    mergeRequests,
    headCommit,
    version,
    firstStart,
    lastFinish,
  };
}

function isProductionEnv(estate: Estate, deployment: Deployment): boolean {
  return estate.environments.find((e) => e.id === deployment.environmentId)?.tier === 'production';
}

/** An MR still open (or abandoned) with one unsigned commit: it never ships, but its commit is in the repository. */
export function buildOpenMergeRequest(
  estate: Estate,
  service: string,
  author: string,
  at: number,
  rng: Rng,
): MergeRequest {
  const cursor = estate.cursor.services[service];
  const gitlabService = estate.services.find((s) => s.name === service);
  if (!cursor || !gitlabService) throw new Error(`buildOpenMergeRequest: unknown service "${service}"`);
  const title = `Draft: ${workTitle(rng)}`;
  const commit: Commit = {
    sha: rng.hex(40),
    service,
    title,
    message: `${title}\n`,
    authorUserName: author,
    committerUserName: author,
    authoredAt: iso(at - 30 * MINUTE),
    committedAt: iso(at - 30 * MINUTE),
    parentShas: [cursor.headSha],
    signature: null,
    additions: rng.int(5, 80),
    deletions: rng.int(0, 20),
  };
  const closed = rng.chance(0.3);
  const mr: MergeRequest = {
    id: estate.cursor.nextMrId++,
    iid: cursor.nextMrIid++,
    service,
    title,
    description: workDescription(rng, title),
    authorUserName: author,
    reviewerUserNames: [],
    approvedBy: [],
    approvalsRequired: 1,
    sourceBranch: `draft/${cursor.branchSeq++}`,
    targetBranch: 'main',
    state: closed ? 'closed' : 'opened',
    createdAt: iso(at),
    updatedAt: iso(closed ? at + 4 * HOUR : at),
    commitShas: [commit.sha],
    labels: ['draft'],
  };
  estate.commits.push(commit);
  estate.mergeRequests.push(mr);
  return mr;
}

export interface RollbackSpec {
  service: string;
  /** The earlier deployment whose commit (and version) goes back to production. */
  to: Deployment;
  /** The production environment rolled back. */
  environment: string;
  pipelineAt: number;
  deployAt: number;
  /** Given when running the pipeline on the old tag (`CHANGE_ID`, …). */
  variables: PipelineVariable[];
  deployer: string;
  envApprovers?: string[];
  rng: Rng;
}

/**
 * A rollback as GitLab records it when someone runs the pipeline of an earlier release's tag and
 * plays its deploy job: a new pipeline on `v<old version>` (the old commit, already analysed), one
 * manual deployment that ships no merge request, and the CMDB back at the old version.
 */
export function buildRollback(
  estate: Estate,
  spec: RollbackSpec,
): { pipeline: Pipeline; deployment: Deployment } {
  const { rng } = spec;
  const service = estate.services.find((s) => s.name === spec.service);
  if (!service) throw new Error(`buildRollback: unknown service "${spec.service}"`);
  const env = estate.environments.find((e) => e.service === service.name && e.name === spec.environment);
  if (!env) throw new Error(`buildRollback: ${service.name} has no environment "${spec.environment}"`);
  const cursor = estate.cursor.services[service.name];
  const started = spec.pipelineAt + rng.int(10, 40) * SECOND;
  const testsDone = started + rng.int(3, 8) * MINUTE;
  if (spec.deployAt <= testsDone)
    throw new Error(
      `buildRollback: ${service.name} rolls back at ${iso(spec.deployAt)}, before its pipeline is ready`,
    );
  const pipeline: Pipeline = {
    id: estate.cursor.nextPipelineId++,
    iid: cursor.nextPipelineIid++,
    service: service.name,
    name: 'Release pipeline',
    ref: `v${spec.to.version}`,
    tag: true,
    sha: spec.to.sha,
    beforeSha: ZERO_SHA,
    source: 'web',
    createdAt: iso(spec.pipelineAt),
    startedAt: iso(started),
    finishedAt: iso(testsDone),
    status: 'success',
    triggeredBy: spec.deployer,
    variables: spec.variables,
    testReport: passingTests(rng),
  };
  const finishedAt = spec.deployAt + rng.int(60, 240) * SECOND;
  const jobCreated = spec.pipelineAt + 2 * SECOND;
  const deployment: Deployment = {
    id: estate.cursor.nextDeploymentId++,
    iid: cursor.nextDeploymentIid++,
    service: service.name,
    environment: env.name,
    environmentId: env.id,
    status: 'success',
    ref: pipeline.ref,
    tag: true,
    sha: pipeline.sha,
    createdAt: iso(jobCreated),
    finishedAt: iso(finishedAt),
    updatedAt: iso(finishedAt),
    triggeredBy: spec.deployer,
    pipelineId: pipeline.id,
    job: {
      id: estate.cursor.nextJobId++,
      name: `deploy-${env.name}`,
      stage: 'deploy',
      createdAt: iso(jobCreated),
      startedAt: iso(spec.deployAt),
      finishedAt: iso(finishedAt),
      status: 'success',
      manual: true,
      userName: spec.deployer,
    },
    // A rollback ships no merge request: the ones merged since stay pending for the next release.
    mergeRequestIids: [],
    version: spec.to.version,
    approvals: (spec.envApprovers ?? []).map((userName, i) => ({
      userName,
      status: 'approved' as const,
      at: iso(spec.deployAt - (15 - 5 * i) * MINUTE),
      comment: i === 0 ? 'Rollback agreed on the incident bridge.' : null,
    })),
  };
  pipeline.finishedAt = iso(finishedAt);
  estate.pipelines.push(pipeline);
  estate.deployments.push(deployment);
  recordInstalledVersion(estate, service.name, finishedAt, deployedVersion(pipeline));
  return { pipeline, deployment };
}
