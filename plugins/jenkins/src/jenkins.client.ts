/**
 * The Jenkins JSON API calls of this plugin, over the connector's HttpClient (which owns auth,
 * timeouts, concurrency, retries, rate limits and redaction). Every call names the fields it needs
 * with `tree=`: without it Jenkins serialises whole object graphs (a `BuildData` carries every
 * branch ever built), and fingerprints are not exported at all (`@Exported(visibility = -1)`).
 */
import { HttpClient, UpstreamError, type HttpResponse } from '@audit-hub/http';
import type {
  JenkinsBuild,
  JenkinsBuildPointer,
  JenkinsBuildsPage,
  JenkinsFolderListing,
  JenkinsJobProbe,
  JenkinsUser,
} from './jenkins.types';

/** The fields that tell one build from every other: a moved job keeps them (`Items.move`). */
export const POINTER_FIELDS = 'number,timestamp,queueId';

/**
 * Fields of each item of a folder listing. `jobs[name]` is there only to tell folders (which have
 * it) from jobs; `lastBuild` and `firstBuild` with their start and queue id recognise a job that
 * moved, and bound what the build discarder left; `nextBuildNumber` says which numbers were handed
 * out (a build deleted at the top of the list leaves it behind).
 */
export const ITEM_TREE_FIELDS = `name,fullName,url,_class,lastBuild[${POINTER_FIELDS}],firstBuild[number],nextBuildNumber,jobs[name]`;

/** One folder level: its direct children. */
export const FOLDER_TREE = `jobs[${ITEM_TREE_FIELDS}]`;

/**
 * Everything read of one build, in the page request itself (no request per build):
 * parameters, causes (and causes of interruption: input rejections), every git `BuildData`,
 * test counts of the test result action, input approvals (`ApproverAction.userId`), archived
 * artifacts, fingerprints with the build that first recorded each file, and change sets.
 */
export const BUILD_TREE_FIELDS = [
  'number',
  'result',
  'building',
  'timestamp',
  'duration',
  'actions[_class,parameters[_class,name,value],' +
    'causes[_class,shortDescription,userId,userName,upstreamProject,upstreamBuild,upstreamUrl,user[id],timestamp],' +
    'lastBuiltRevision[SHA1,branch[SHA1,name]],remoteUrls,failCount,skipCount,totalCount,userId]',
  'artifacts[fileName,relativePath]',
  'fingerprint[fileName,hash,original[name,number]]',
  'changeSet[kind,items[commitId,comment,msg]]',
  'changeSets[kind,items[commitId,comment,msg]]',
].join(',');

/** Builds `from` (inclusive) to `to` (exclusive), newest first. `allBuilds`: `builds` stops at 100. */
export function buildsTree(from: number, to: number): string {
  return `allBuilds[${BUILD_TREE_FIELDS}]{${from},${to}}`;
}

/** `team/app` → `/job/team/job/app`; each name URL-encoded (multibranch names hold `%2F` literally). */
export function jobPath(fullName: string | null): string {
  if (!fullName) return '';
  return fullName
    .split('/')
    .map((name) => `/job/${encodeURIComponent(name)}`)
    .join('');
}

/** `mode` and `nodeDescription` of the instance root: any Jenkins answers them to a user with Overall/Read. */
export interface JenkinsRoot {
  mode?: string;
  nodeDescription?: string;
}

export class JenkinsClient {
  constructor(readonly http: HttpClient) {}

  /** The instance root; its `X-Jenkins` header carries the version. */
  root(): Promise<HttpResponse<JenkinsRoot>> {
    return this.getObject<JenkinsRoot>('/api/json', 'mode,nodeDescription', 'reading the instance root');
  }

  /** The user the credentials authenticate as (`anonymous` when they were not applied). */
  async me(): Promise<JenkinsUser> {
    return (await this.getObject<JenkinsUser>('/me/api/json', 'id,fullName', 'reading the current user'))
      .data;
  }

  /** The direct children of a folder (the instance root for null). */
  async folder(fullName: string | null): Promise<JenkinsFolderListing> {
    const what = fullName ? `folder ${fullName}` : 'the instance root';
    const path = `${jobPath(fullName)}/api/json`;
    const response = await this.getObject<JenkinsFolderListing>(path, FOLDER_TREE, `listing ${what}`);
    if (!Array.isArray(response.data.jobs)) {
      throw this.malformed(path, response.status, `${what} answered without a "jobs" list`);
    }
    return response.data;
  }

  /**
   * A job by its full name, as a permission probe: Jenkins answers 200 when the user holds
   * Job/Read, 403 when it holds only Job/Discover (`Jenkins.getItem` throws AccessDeniedException),
   * and 404 when there is no such job or the user may not even discover it.
   */
  async job(fullName: string): Promise<JenkinsJobProbe> {
    return (
      await this.getObject<JenkinsJobProbe>(
        `${jobPath(fullName)}/api/json`,
        'name,fullName',
        `looking up job ${fullName}`,
      )
    ).data;
  }

  /** One build of a job, as much as tells it apart (404 when the job has no such build). */
  async buildPointer(fullName: string, number: number): Promise<JenkinsBuildPointer> {
    return (
      await this.getObject<JenkinsBuildPointer>(
        `${jobPath(fullName)}/${number}/api/json`,
        POINTER_FIELDS,
        `looking up build #${number} of job ${fullName}`,
      )
    ).data;
  }

  /** Builds `from`..`to` (exclusive) of a job, newest first, with every field the mappers need. */
  async builds(fullName: string, from: number, to: number): Promise<JenkinsBuild[]> {
    const path = `${jobPath(fullName)}/api/json`;
    const response = await this.getObject<JenkinsBuildsPage>(
      path,
      buildsTree(from, to),
      `reading builds {${from},${to}} of job ${fullName}`,
    );
    if (!Array.isArray(response.data.allBuilds)) {
      throw this.malformed(
        path,
        response.status,
        `job ${fullName} answered without an "allBuilds" list (builds {${from},${to}})`,
      );
    }
    return response.data.allBuilds;
  }

  private async getObject<T>(path: string, tree: string, doing: string): Promise<HttpResponse<T>> {
    let response: HttpResponse<T>;
    try {
      response = await this.http.get<T>(path, { tree });
    } catch (err) {
      throw clarify(err, doing);
    }
    if (response.data === null || typeof response.data !== 'object' || Array.isArray(response.data)) {
      throw clarify(this.malformed(path, response.status, 'the body is not a JSON object'), doing);
    }
    return response;
  }

  private malformed(path: string, status: number, detail: string): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method: 'GET',
      path: this.http.redact(path),
      status,
      code: 'malformed',
      retryable: false,
      detail,
    });
  }
}

/**
 * Jenkins answers errors with HTML pages whose `<title>` (what the HTTP client keeps) is often just
 * "Jenkins" (the "Oops!" page of a 500) or a bare status line: such a detail is replaced by what the
 * status means for this plugin, and the error says what it was doing.
 */
export function clarify(err: unknown, doing: string): unknown {
  if (!(err instanceof UpstreamError)) return err;
  const generic = !err.detail || /^(jenkins)?( - jenkins| \[jenkins\])?$/i.test(err.detail.trim());
  const detail = generic ? (statusMeaning(err) ?? err.detail) : err.detail;
  const init = {
    connector: err.connector,
    method: err.method,
    path: err.path,
    status: err.status,
    code: err.code,
    retryable: err.retryable,
    detail,
  };
  const plain = new UpstreamError(init);
  return new UpstreamError(init, `${plain.message} (while ${doing})`);
}

function statusMeaning(err: UpstreamError): string | undefined {
  switch (err.code) {
    case 'unauthorized':
      return 'Jenkins refused the user name or API token';
    case 'forbidden':
      return 'the user lacks a permission (Overall/Read, Job/Read)';
    case 'not_found':
      return 'no such item, or the user may not see it';
    case 'server':
      return 'Jenkins answered its internal error page ("Oops!"); the Jenkins system log has the stack trace';
    default:
      return undefined;
  }
}
