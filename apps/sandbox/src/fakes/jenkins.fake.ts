import { timingSafeEqual } from 'node:crypto';
import { EstateIndex } from '../estate/estate.index';
import type { CiBuild, CiJob, Estate } from '../estate/estate.model';
import {
  basicCredentials,
  json,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from './fake-http.util';
import { applyTree, parseTree, TreeSyntaxError } from './jenkins-tree.util';
import { buildView, folderView, jobView, JENKINS_VERSION, type JenkinsView } from './jenkins.views';

/**
 * A Jenkins controller over the estate's CI jobs and builds, at the root of its mount (a Jenkins
 * with a context path, as behind most proxies). It speaks the JSON API the way connectors meet it:
 * `…/api/json` of the root, a folder (`/job/a/job/b`), a job or a build, filtered by `tree=` with
 * `{m,n}` ranges (fingerprints only through `tree=`); newest builds first; a build still running
 * has `building: true` and no result. Errors are Jetty/Jenkins HTML pages, never JSON; the version
 * is in `X-Jenkins`. HTTP basic with a user and API token; anonymous requests are refused (403).
 */

/**
 * Real-instance behaviours, each off by default (docs/connectors/jenkins.md "On real instances").
 * Sources: jenkinsci/jenkins `core/src/main/java/…` as named on each switch.
 */
export interface JenkinsBehaviours {
  /**
   * Every job discards old builds (`hudson.tasks.LogRotator.perform`, "Discard old builds" with
   * Max # of builds to keep = JENKINS_ROTATION_NUM_TO_KEEP): only the newest builds, the last
   * successful and the last stable one (`shouldKeepRun`) and the ones still running survive; the
   * others are gone from `allBuilds`, and their own URLs answer 404, while `nextBuildNumber` still
   * counts them. The discarder is taken as configured when the estate was generated: from the first
   * instant after `generatedAt` on, so the builds it deletes are the ones a client did not read in
   * time (more builds between two reads than it keeps).
   */
  logRotation?: boolean;
  /**
   * After the estate's generation (any instant after `generatedAt`), the folder of the first
   * Jenkins-deployed service (`finance`) has been moved into a folder `legacy` (`Items.move`): its
   * jobs keep their builds, numbers, starts and queue ids under the new full names
   * (`legacy/finance/…`); Jenkins rewrote the fingerprints' `original` to the new names
   * (`Fingerprint.ProjectRenameListener`), while upstream causes keep the name the upstream job had
   * when the build started (`Cause.UpstreamCause.upstreamProject`, a string).
   */
  jobMoved?: boolean;
  /**
   * Jenkins without the Folders plugin (cloudbees-folder): no item has `jobs`, every job is a
   * top-level item named by the last segment of its estate name (`settlement-engine-deploy`), and a
   * folder path (`/job/finance/…`) answers 404. Names everywhere (fingerprints, causes) are those.
   */
  noFoldersPlugin?: boolean;
  /**
   * The connector's user lacks Job/Read (but holds Job/Discover) on the first Jenkins-deployed
   * service's build job: listings leave it out (`Jenkins.getItems` keeps items with Item/Read), its
   * URLs answer the 403 access-denied page (`Jenkins.getItem`: "Please login to access job …"),
   * and fingerprints still name it as their `original` (`Fingerprint.BuildPtr` shows it to whoever
   * may discover it).
   */
  hiddenJobs?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const JENKINS_TRANSPARENT_BEHAVIOURS: readonly (keyof JenkinsBehaviours)[] = [
  'jobMoved',
  // Transparent in what is read; the job names differ (see jenkinsJobName for manifest refs).
  'noFoldersPlugin',
];
/** Switches where data truly cannot be read: the connector must say so, never read "none". */
export const JENKINS_LOSSY_BEHAVIOURS: readonly (keyof JenkinsBehaviours)[] = ['logRotation', 'hiddenJobs'];

/** Max # of builds to keep of `logRotation` (besides the last successful and last stable ones). */
export const JENKINS_ROTATION_NUM_TO_KEEP = 1;
/** The folder `jobMoved` moves the first Jenkins-deployed service's folder into. */
export const JENKINS_MOVED_INTO = 'legacy';

export interface JenkinsFakeOptions {
  estate: () => Estate;
  user: string;
  /** The user's API token. */
  token: string;
  now: () => Date;
  behaviours?: JenkinsBehaviours;
}

/** The first Jenkins-deployed service's jobs: what `jobMoved` moves and `hiddenJobs` hides. */
function firstJenkinsService(estate: Estate): { deployJob: string; buildJob: string } | undefined {
  return estate.services.find((s) => s.jenkins)?.jenkins;
}

/**
 * The full name Jenkins gives an estate job at an instant, under the behaviours: moved into
 * `legacy/` after the estate's generation (`jobMoved`), its last segment without folders
 * (`noFoldersPlugin`). What subject refs of Jenkins subjects are made of when a connector first
 * meets the job at that instant.
 */
export function jenkinsJobName(
  estate: Estate,
  fullName: string,
  behaviours: JenkinsBehaviours = {},
  at: string = estate.now,
): string {
  let name = fullName;
  const first = firstJenkinsService(estate);
  const folder = first?.deployJob.includes('/') ? first.deployJob.split('/')[0] : undefined;
  if (behaviours.jobMoved && folder && at > estate.generatedAt && name.startsWith(`${folder}/`)) {
    name = `${JENKINS_MOVED_INTO}/${name}`;
  }
  if (behaviours.noFoldersPlugin) name = name.split('/').pop() ?? name;
  return name;
}

/**
 * The builds `logRotation` leaves of one job's builds (newest first) at `now`: the newest
 * JENKINS_ROTATION_NUM_TO_KEEP, the last successful, the last stable and the running ones.
 */
export function rotatedBuilds(builds: readonly CiBuild[], now: string): CiBuild[] {
  const done = (b: CiBuild) => new Date(Date.parse(b.startedAt) + b.durationMs).toISOString() <= now;
  const lastSuccessful = builds.find((b) => done(b) && (b.result === 'SUCCESS' || b.result === 'UNSTABLE'));
  const lastStable = builds.find((b) => done(b) && b.result === 'SUCCESS');
  return builds.filter(
    (b, i) => i < JENKINS_ROTATION_NUM_TO_KEEP || b === lastSuccessful || b === lastStable || !done(b),
  );
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const BASE_HEADERS = {
  'x-jenkins': JENKINS_VERSION,
  'x-jenkins-session': '5d1c3a7f',
  'x-content-type-options': 'nosniff',
};

function html(
  status: number,
  title: string,
  body: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/html;charset=utf-8', ...BASE_HEADERS, ...headers },
    body: `<html><head><meta http-equiv="Content-Type" content="text/html;charset=utf-8"/><title>${title}</title></head><body>${body}</body></html>`,
  };
}

/** Jetty's page for a path nothing serves (a job or build that does not exist). */
export function jenkinsNotFound(path: string): FakeResponse {
  return html(
    404,
    'Error 404 Not Found',
    `<h2>HTTP ERROR 404 Not Found</h2><table><tr><th>URI:</th><td>${path}</td></tr><tr><th>STATUS:</th><td>404</td></tr></table>`,
  );
}

/** The "Oops!" page of an internal error: its title is just "Jenkins". */
export function jenkinsOops(): FakeResponse {
  return html(500, 'Jenkins', '<h1>Oops!</h1><p>A problem occurred while processing the request.</p>');
}

function unauthorized(user: string): FakeResponse {
  return html(
    401,
    `Error 401 Invalid password/token for user: ${user}`,
    '<h2>HTTP ERROR 401 Invalid password/token</h2>',
    {
      'www-authenticate': 'Basic realm="Jenkins"',
    },
  );
}

/** `Jenkins.getItem` on an item the user may discover but not read: AccessDeniedException, 403. */
function discoverOnly(job: string): FakeResponse {
  return html(
    403,
    'Access Denied - Jenkins',
    `<h1>Access Denied</h1><p>Please login to access job ${job.split('/').pop()}</p>`,
  );
}

function anonymous(path: string): FakeResponse {
  const login = `/login?from=${encodeURIComponent(path)}`;
  return html(
    403,
    'Authentication required',
    `<script>window.location.replace('${login}');</script>Authentication required`,
    {
      'x-you-are-authenticated-as': 'anonymous',
      'x-required-permission': 'hudson.model.Hudson.Read',
    },
  );
}

function jsonPage(body: unknown, request: FakeRequest): FakeResponse {
  const tree = request.query.get('tree');
  const value = tree ? applyTree(body, parseTree(tree)) : withoutHidden(body);
  return json(200, value, BASE_HEADERS);
}

/** Without `tree=` (depth 0), fingerprints are not exported at all. */
function withoutHidden(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutHidden);
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (key !== 'fingerprint') out[key] = withoutHidden(value);
  return out;
}

interface Cached {
  key: string;
  builds: Map<string, CiBuild[]>;
  nextNumbers: Map<string, number>;
  queueIds: Map<CiBuild, number>;
  jobs: CiJob[];
  /** Served names of the jobs the user may discover but not read. */
  hidden: Set<string>;
}

/** `job/a/job/b/12/testReport` → job `a/b`, build 12, rest `testReport`; null when not a job path. */
function parseJobPath(segments: string[]): { job: string; build?: number; rest: string[] } | null {
  const names: string[] = [];
  let i = 0;
  while (segments[i] === 'job' && i + 1 < segments.length) {
    names.push(segments[i + 1]);
    i += 2;
  }
  if (names.length === 0) return null;
  const rest = segments.slice(i);
  if (rest.length && /^\d+$/.test(rest[0]))
    return { job: names.join('/'), build: Number(rest[0]), rest: rest.slice(1) };
  return { job: names.join('/'), rest };
}

export function createJenkinsFake(options: JenkinsFakeOptions): FakeHandler {
  const behaviours = options.behaviours ?? {};
  let cache: Cached | undefined;
  const viewOf = (request: FakeRequest): JenkinsView => {
    const estate = options.estate();
    const now = options.now().toISOString();
    const key = `${EstateIndex.keyOf(estate)}|${estate.ciBuilds.length}|${now}`;
    const served = (job: string, at = now) => jenkinsJobName(estate, job, behaviours, at);
    if (!cache || cache.key !== key) {
      const queueIds = new Map<CiBuild, number>();
      estate.ciBuilds.forEach((b, i) => queueIds.set(b, 4000 + i));
      const byJob = new Map<string, CiBuild[]>();
      for (const b of estate.ciBuilds) {
        if (b.startedAt > now) continue;
        const list = byJob.get(b.job) ?? [];
        list.push(b);
        byJob.set(b.job, list);
      }
      const builds = new Map<string, CiBuild[]>();
      const nextNumbers = new Map<string, number>();
      const rotating = behaviours.logRotation === true && now > estate.generatedAt;
      for (const [job, list] of byJob) {
        list.sort((a, b) => b.number - a.number);
        nextNumbers.set(served(job), list[0].number + 1);
        builds.set(served(job), rotating ? rotatedBuilds(list, now) : list);
      }
      const hiddenJob = behaviours.hiddenJobs ? firstJenkinsService(estate)?.buildJob : undefined;
      const hidden = new Set(hiddenJob ? [served(hiddenJob)] : []);
      const jobs = estate.ciJobs
        .filter((j) => j.createdAt <= now)
        .map((j) => ({ ...j, fullName: served(j.fullName) }))
        .filter((j) => !hidden.has(j.fullName));
      cache = { key, builds, nextNumbers, queueIds, jobs, hidden };
    }
    return {
      estate,
      now,
      root: request.baseUrl,
      people: EstateIndex.of(estate).peopleByUserName,
      jobs: cache.jobs,
      builds: cache.builds,
      nextNumbers: cache.nextNumbers,
      queueIds: cache.queueIds,
      names: { now: (job) => served(job), at: (job, instant) => served(job, instant) },
    };
  };

  return (request) => {
    const credentials = basicCredentials(request);
    if (!credentials) return anonymous(request.path);
    if (!same(credentials.user, options.user) || !same(credentials.password, options.token))
      return unauthorized(credentials.user);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return html(405, 'Error 405 Method Not Allowed', '<h2>HTTP ERROR 405</h2>');
    }
    let segments: string[];
    try {
      segments = request.path
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));
    } catch {
      return jenkinsNotFound(request.path);
    }
    if (segments.length === 0) return html(200, 'Dashboard [Jenkins]', '<h1>Welcome to Jenkins!</h1>');
    if (segments[segments.length - 1] !== 'json' || segments[segments.length - 2] !== 'api')
      return jenkinsNotFound(request.path);
    const inner = segments.slice(0, -2);
    const view = viewOf(request);
    try {
      if (inner.length === 0) return jsonPage(folderView(view, null), request);
      if (inner.length === 1 && inner[0] === 'me') {
        const person = view.people.get(options.user);
        return jsonPage(
          { _class: 'hudson.model.User', id: options.user, fullName: person?.name ?? options.user },
          request,
        );
      }
      const target = parseJobPath(inner);
      if (!target) return jenkinsNotFound(request.path);
      if (cache?.hidden.has(target.job)) return discoverOnly(target.job);
      const job: CiJob | undefined = view.jobs.find((j) => j.fullName === target.job);
      if (target.build === undefined) {
        if (target.rest.length) return jenkinsNotFound(request.path);
        if (job) return jsonPage(jobView(view, job), request);
        const isFolder = view.jobs.some((j) => j.fullName.startsWith(`${target.job}/`));
        return isFolder ? jsonPage(folderView(view, target.job), request) : jenkinsNotFound(request.path);
      }
      const build = job
        ? (view.builds.get(job.fullName) ?? []).find((b) => b.number === target.build)
        : undefined;
      if (!job || !build) return jenkinsNotFound(request.path);
      if (target.rest.length === 0) return jsonPage(buildView(view, job, build), request);
      if (target.rest.length === 1 && target.rest[0] === 'testReport') {
        const done = Date.parse(build.startedAt) + build.durationMs <= Date.parse(view.now);
        const r = build.testReport;
        // Jenkins answers 404 on …/testReport when the build archived no test result.
        if (!done || !r) return jenkinsNotFound(request.path);
        return jsonPage(
          {
            _class: 'hudson.tasks.junit.TestResult',
            duration: r.durationSeconds,
            empty: false,
            failCount: r.failed + r.errored,
            passCount: r.total - r.failed - r.errored - r.skipped,
            skipCount: r.skipped,
            suites: [],
          },
          request,
        );
      }
      return jenkinsNotFound(request.path);
    } catch (error) {
      if (error instanceof TreeSyntaxError) {
        return html(400, 'Error 400 Bad Request', `<h2>HTTP ERROR 400 ${error.message}</h2>`);
      }
      throw error;
    }
  };
}
