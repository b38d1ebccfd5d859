import type { CiBuild, CiCause, CiJob, Estate, Instant, Person } from '../estate/estate.model';

/**
 * The estate's CI jobs and builds rendered as Jenkins' JSON API serialises them (Jenkins 2.4xx with
 * the Pipeline, Git, JUnit, Pipeline Input Step and Folders plugins), before `tree=` filters them:
 * every object with its `_class`; a build's `actions` a heterogeneous list holding empty action
 * objects and one git `BuildData` per checked-out repository (the shared library first); causes
 * with their classes; fingerprints with the build that first recorded each digest (`original`).
 * Shapes follow upstream-samples/jenkins (build-api-json-*.json, job-api-json-freestyle-params.json).
 */

export interface JenkinsView {
  estate: Estate;
  now: Instant;
  /** The Jenkins root URL as the client reached it (`http://127.0.0.1:4010/jenkins`). */
  root: string;
  people: Map<string, Person>;
  /** The jobs the user may read, under the names Jenkins gives them now. */
  jobs: CiJob[];
  /** Builds Jenkins still has at `now` per job (by the name it has now), newest first. */
  builds: Map<string, CiBuild[]>;
  /** Per job (by the name it has now), the number its next build gets (`Job.nextBuildNumber`). */
  nextNumbers: Map<string, number>;
  /** Each build's queue item id (`Run.getQueueId()`): unique on the controller. */
  queueIds: Map<CiBuild, number>;
  /**
   * A job's name (as the estate knows it) as Jenkins writes it: `now` where Jenkins renames it on a
   * move (fingerprints), `at` an instant where it was written once (an upstream cause).
   */
  names: { now(job: string): string; at(job: string, instant: Instant): string };
}

/** Names as the estate has them: no job ever moved. */
export const SAME_NAMES: JenkinsView['names'] = { now: (job) => job, at: (job) => job };

export const JENKINS_VERSION = '2.452.3';

const WORKFLOW_JOB = 'org.jenkinsci.plugins.workflow.job.WorkflowJob';
const FREESTYLE_JOB = 'hudson.model.FreeStyleProject';
const WORKFLOW_RUN = 'org.jenkinsci.plugins.workflow.job.WorkflowRun';
const FREESTYLE_BUILD = 'hudson.model.FreeStyleBuild';
export const FOLDER = 'com.cloudbees.hudson.plugins.folder.Folder';

export function jobUrl(root: string, fullName: string): string {
  return `${root}${fullName
    .split('/')
    .map((name) => `/job/${encodeURIComponent(name)}`)
    .join('')}/`;
}

function displayName(view: JenkinsView, userName: string): string {
  return view.people.get(userName)?.name ?? userName;
}

function finished(view: JenkinsView, build: CiBuild): boolean {
  return Date.parse(build.startedAt) + build.durationMs <= Date.parse(view.now);
}

function causeView(view: JenkinsView, cause: CiCause, build: CiBuild) {
  switch (cause.type) {
    case 'user':
      return {
        _class: 'hudson.model.Cause$UserIdCause',
        shortDescription: `Started by user ${displayName(view, cause.userName)}`,
        userId: cause.userName,
        userName: displayName(view, cause.userName),
      };
    case 'upstream': {
      // Written once, when the build started: the upstream job's name then.
      const job = view.names.at(cause.job, build.startedAt);
      return {
        _class: 'hudson.model.Cause$UpstreamCause',
        shortDescription: `Started by upstream project "${job}" build number ${cause.number}`,
        upstreamBuild: cause.number,
        upstreamProject: job,
        upstreamUrl: jobUrl('', job).slice(1),
      };
    }
    case 'replay':
      return {
        _class: 'org.jenkinsci.plugins.workflow.cps.replay.ReplayCause',
        shortDescription: `Replayed #${cause.number}`,
      };
    case 'timer':
      return {
        _class: 'hudson.triggers.TimerTrigger$TimerTriggerCause',
        shortDescription: 'Started by timer',
      };
    case 'scm':
      return {
        _class: 'hudson.triggers.SCMTrigger$SCMTriggerCause',
        shortDescription: 'Started by an SCM change',
      };
  }
}

const PARAMETER_CLASSES = {
  string: 'hudson.model.StringParameterValue',
  boolean: 'hudson.model.BooleanParameterValue',
  password: 'hudson.model.PasswordParameterValue',
} as const;

function actionsOf(view: JenkinsView, build: CiBuild, done: boolean): unknown[] {
  const actions: unknown[] = [
    { _class: 'hudson.model.CauseAction', causes: build.causes.map((c) => causeView(view, c, build)) },
  ];
  if (build.parameters.length) {
    actions.push({
      _class: 'hudson.model.ParametersAction',
      // Jenkins does not export a password parameter's value: the name and class only.
      parameters: build.parameters.map((p) =>
        p.kind === 'password'
          ? { _class: PARAMETER_CLASSES.password, name: p.name }
          : { _class: PARAMETER_CLASSES[p.kind], name: p.name, value: p.value },
      ),
    });
  }
  actions.push({ _class: 'jenkins.metrics.impl.TimeInQueueAction' }, {});
  for (const checkout of build.checkouts) {
    actions.push({
      _class: 'hudson.plugins.git.util.BuildData',
      buildsByBranchName: {
        [checkout.branch]: {
          _class: 'hudson.plugins.git.util.Build',
          buildNumber: build.number,
          buildResult: null,
          marked: { SHA1: checkout.sha, branch: [{ SHA1: checkout.sha, name: checkout.branch }] },
          revision: { SHA1: checkout.sha, branch: [{ SHA1: checkout.sha, name: checkout.branch }] },
        },
      },
      lastBuiltRevision: { SHA1: checkout.sha, branch: [{ SHA1: checkout.sha, name: checkout.branch }] },
      remoteUrls: [checkout.remoteUrl],
      scmName: '',
    });
  }
  if (build.checkouts.length) actions.push({ _class: 'org.jenkinsci.plugins.workflow.libs.LibrariesAction' });
  if (done && build.testReport) {
    const r = build.testReport;
    actions.push({
      _class: 'hudson.tasks.junit.TestResultAction',
      failCount: r.failed + r.errored,
      skipCount: r.skipped,
      totalCount: r.total,
      urlName: 'testReport',
    });
  }
  for (const userId of build.approvers) {
    actions.push({
      _class: 'org.jenkinsci.plugins.workflow.support.steps.input.ApproverAction',
      userId,
    });
  }
  actions.push(
    { _class: 'org.jenkinsci.plugins.pipeline.modeldefinition.actions.RestartDeclarativePipelineAction' },
    {},
  );
  return actions;
}

function changeSetOf(build: CiBuild) {
  return {
    _class: 'hudson.plugins.git.GitChangeSetList',
    items: build.changeSet.map((c) => ({
      _class: 'hudson.plugins.git.GitChangeSet',
      affectedPaths: [],
      commitId: c.sha,
      timestamp: 0,
      author: { absoluteUrl: '', fullName: c.author },
      authorEmail: `${c.author}@acme.com`,
      comment: c.message,
      date: '',
      id: c.sha,
      msg: c.message.split('\n')[0],
      paths: [],
    })),
    kind: 'git',
  };
}

export function buildView(view: JenkinsView, job: CiJob, build: CiBuild) {
  const done = finished(view, build);
  const url = `${jobUrl(view.root, job.fullName)}${build.number}/`;
  const siblings = view.builds.get(job.fullName) ?? [];
  const previous = siblings.find((b) => b.number < build.number);
  const next = [...siblings].reverse().find((b) => b.number > build.number);
  const ref = (b: CiBuild | undefined) =>
    b ? { number: b.number, url: `${jobUrl(view.root, job.fullName)}${b.number}/` } : null;
  const body: Record<string, unknown> = {
    _class: job.pipeline ? WORKFLOW_RUN : FREESTYLE_BUILD,
    actions: actionsOf(view, build, done),
    artifacts: done
      ? build.artifacts.map((a) => ({
          displayPath: a.fileName,
          fileName: a.fileName,
          relativePath: a.relativePath,
        }))
      : [],
    building: !done,
    description: null,
    displayName: `#${build.number}`,
    duration: done ? build.durationMs : 0,
    estimatedDuration: build.durationMs,
    executor: done ? null : {},
    fullDisplayName: `${job.fullName.split('/').join(' » ')} #${build.number}`,
    id: String(build.number),
    keepLog: false,
    number: build.number,
    queueId: view.queueIds.get(build) ?? -1,
    result: done ? build.result : null,
    timestamp: Date.parse(build.startedAt),
    url,
    inProgress: !done,
    nextBuild: ref(next),
    previousBuild: ref(previous),
    culprits: [],
    // Run.getBuildFingerprints(): exported only through `tree=` or `depth` (visibility -1).
    fingerprint: done
      ? build.fingerprints.map((f) => ({
          _class: 'hudson.model.Fingerprint',
          fileName: f.fileName,
          hash: f.md5,
          // Fingerprint.ProjectRenameListener renames the original when its job moves.
          original: f.original
            ? {
                _class: 'hudson.model.Fingerprint$BuildPtr',
                name: view.names.now(f.original.job),
                number: f.original.number,
              }
            : null,
          timestamp: Date.parse(build.startedAt),
        }))
      : [],
  };
  if (job.pipeline) body.changeSets = build.changeSet.length ? [changeSetOf(build)] : [];
  else body.changeSet = changeSetOf(build);
  return body;
}

/** `lastBuild` / `firstBuild` of a job: the run itself, of which `tree=` picks fields. */
function buildRef(view: JenkinsView, job: CiJob, build: CiBuild | undefined) {
  return build
    ? {
        _class: job.pipeline ? WORKFLOW_RUN : FREESTYLE_BUILD,
        number: build.number,
        queueId: view.queueIds.get(build) ?? -1,
        timestamp: Date.parse(build.startedAt),
        url: `${jobUrl(view.root, job.fullName)}${build.number}/`,
      }
    : null;
}

/** A job; its builds are rendered only when read (a folder listing rarely asks for them). */
export function jobView(view: JenkinsView, job: CiJob) {
  const builds = view.builds.get(job.fullName) ?? [];
  let rendered: unknown[] | undefined;
  const all = () => (rendered ??= builds.map((b) => buildView(view, job, b)));
  const newest = builds[0];
  const color = !newest
    ? 'notbuilt'
    : !finished(view, newest)
      ? 'blue_anime'
      : newest.result === 'SUCCESS'
        ? 'blue'
        : newest.result === 'ABORTED'
          ? 'aborted'
          : 'red';
  const body = {
    _class: job.pipeline ? WORKFLOW_JOB : FREESTYLE_JOB,
    actions: [{}, { _class: 'org.jenkinsci.plugins.displayurlapi.actions.JobDisplayAction' }],
    description: job.description,
    displayName: job.fullName.split('/').pop(),
    fullDisplayName: job.fullName.split('/').join(' » '),
    fullName: job.fullName,
    name: job.fullName.split('/').pop(),
    url: jobUrl(view.root, job.fullName),
    buildable: true,
    color,
    firstBuild: buildRef(view, job, builds[builds.length - 1]),
    inQueue: false,
    keepDependencies: false,
    lastBuild: buildRef(view, job, newest),
    nextBuildNumber: view.nextNumbers.get(job.fullName) ?? (newest?.number ?? 0) + 1,
    concurrentBuild: false,
    resumeBlocked: false,
  };
  Object.defineProperties(body, {
    // `builds` stops at 100 entries: a full history needs `allBuilds`.
    builds: { enumerable: true, get: () => all().slice(0, 100) },
    allBuilds: { enumerable: true, get: all },
  });
  return body as typeof body & { builds: unknown[]; allBuilds: unknown[] };
}

/** A folder: its direct children (subfolders with their own `jobs`, jobs without). */
export function folderView(view: JenkinsView, fullName: string | null) {
  const prefix = fullName ? `${fullName}/` : '';
  const children = new Map<string, unknown>();
  for (const job of view.jobs) {
    if (!job.fullName.startsWith(prefix)) continue;
    const rest = job.fullName.slice(prefix.length);
    const [first, ...more] = rest.split('/');
    const childName = `${prefix}${first}`;
    if (children.has(childName)) continue;
    children.set(childName, more.length ? folderView(view, childName) : jobView(view, job));
  }
  const jobs = [...children.values()];
  if (!fullName) {
    return {
      _class: 'hudson.model.Hudson',
      assignedLabels: [{ name: 'built-in' }],
      mode: 'NORMAL',
      nodeDescription: "the Jenkins controller's built-in node",
      nodeName: '',
      numExecutors: 0,
      description: null,
      jobs,
      quietingDown: false,
      slaveAgentPort: 50000,
      url: `${view.root}/`,
      useCrumbs: true,
      useSecurity: true,
    };
  }
  return {
    _class: FOLDER,
    actions: [{}],
    description: null,
    displayName: fullName.split('/').pop(),
    fullDisplayName: fullName.split('/').join(' » '),
    fullName,
    name: fullName.split('/').pop(),
    url: jobUrl(view.root, fullName),
    jobs,
    primaryView: { _class: 'hudson.model.AllView', name: 'All', url: jobUrl(view.root, fullName) },
  };
}
