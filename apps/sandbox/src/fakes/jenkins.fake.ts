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

export interface JenkinsFakeOptions {
  estate: () => Estate;
  user: string;
  /** The user's API token. */
  token: string;
  now: () => Date;
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
  let cache: Cached | undefined;
  const viewOf = (request: FakeRequest): JenkinsView => {
    const estate = options.estate();
    const now = options.now().toISOString();
    const key = `${EstateIndex.keyOf(estate)}|${estate.ciBuilds.length}|${now}`;
    if (!cache || cache.key !== key) {
      const builds = new Map<string, CiBuild[]>();
      for (const b of estate.ciBuilds) {
        if (b.startedAt > now) continue;
        const list = builds.get(b.job) ?? [];
        list.push(b);
        builds.set(b.job, list);
      }
      for (const list of builds.values()) list.sort((a, b) => b.number - a.number);
      cache = { key, builds };
    }
    return {
      estate,
      now,
      root: request.baseUrl,
      people: EstateIndex.of(estate).peopleByUserName,
      jobs: estate.ciJobs.filter((j) => j.createdAt <= now),
      builds: cache.builds,
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
