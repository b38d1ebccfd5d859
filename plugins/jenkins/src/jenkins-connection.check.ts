/**
 * `connectors check` for Jenkins: the instance answers (and which version, from `X-Jenkins`), the
 * user name and API token are accepted (and whose they are), the user holds Overall/Read, Job/Read
 * on the configured folders (or sees the instance's top-level items), and Job/Read on each
 * configured job — the jobs the catalog names (`services[].keys.<connector>` or `keys.jenkins`) and
 * the `deployJobs` / `buildJobs` entries without a `*`. Each failure says what it costs (`affects`)
 * and what grants it (`fix`).
 *
 * A job the user may not read is simply absent from Jenkins' lists; asked for by name, Jenkins
 * answers 403 when the user holds Job/Discover without Job/Read, and 404 when there is no such job
 * or the user may not even discover it (`Jenkins.getItem`). Without the Folders plugin
 * (cloudbees-folder) nothing is a folder: a folder path answers 404 too, which the check names when
 * the root lists no folder at all.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult, ServiceKeys } from '@audit-hub/plugin-sdk';
import type { ResolvedJenkinsOptions } from './jenkins.config';
import type { JenkinsClient } from './jenkins.client';
import { JobSelector } from './jenkins-job.selector';
import { jobReadFix } from './jenkins-jobs.resolver';

const EVERYTHING: { kinds: RecordKind[] } = { kinds: ['deployment', 'build'] };
const OVERALL_READ_FIX =
  "grant the connector's user Overall/Read (Manage Jenkins › Security: matrix or role-based authorization)";
const TOKEN_FIX =
  "create an API token for the connector's user (user menu › Security › API Token) and set it as auth.token";

export interface CheckContext {
  services?: readonly ServiceKeys[];
  connectorId?: string;
}

export async function checkConnection(
  client: JenkinsClient,
  options: Pick<ResolvedJenkinsOptions, 'folders' | 'deployJobs' | 'buildJobs'>,
  context: CheckContext = {},
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  let overallRead: CheckResult;
  try {
    const root = await client.root();
    const version = root.headers['x-jenkins'];
    results.push({
      name: 'reachable',
      ok: true,
      detail: version ? `Jenkins ${version}` : 'Jenkins answered (no X-Jenkins version header)',
    });
    overallRead = { name: 'read:overall', ok: true, detail: 'the user holds Overall/Read' };
  } catch (err) {
    if (!isUpstreamError(err) || !['unauthorized', 'forbidden'].includes(err.code)) {
      results.push({ name: 'reachable', ok: false, detail: describe(err), affects: EVERYTHING });
      return results;
    }
    results.push({ name: 'reachable', ok: true, detail: `Jenkins answered ${err.status ?? ''}`.trim() });
    if (err.code === 'unauthorized') {
      results.push({
        name: 'credentials',
        ok: false,
        detail: 'Jenkins refused the user name or API token (revoked, expired or mistyped)',
        affects: EVERYTHING,
        fix: TOKEN_FIX,
      });
      // Every further check would be refused the same way.
      return results;
    }
    overallRead = {
      name: 'read:overall',
      ok: false,
      detail: `the user lacks Overall/Read (${describe(err)})`,
      affects: EVERYTHING,
      fix: OVERALL_READ_FIX,
    };
  }

  try {
    const me = await client.me();
    const anonymous = !me.id || me.id === 'anonymous';
    results.push(
      anonymous
        ? {
            name: 'credentials',
            ok: false,
            detail: 'Jenkins sees an anonymous user: the credentials were not applied',
            affects: EVERYTHING,
            fix: 'set auth.username and auth.token; a proxy in front of Jenkins must pass the Authorization header on',
          }
        : {
            name: 'credentials',
            ok: true,
            detail: `authenticated as ${me.id}${me.fullName && me.fullName !== me.id ? ` (${me.fullName})` : ''}`,
          },
    );
  } catch (err) {
    results.push({ name: 'credentials', ok: false, detail: describe(err), affects: EVERYTHING });
  }
  results.push(overallRead);
  if (!overallRead.ok) return results;

  const folders = new FoldersPlugin(client);
  if (options.folders.length === 0) {
    results.push(await topLevelItems(client, describe));
  } else {
    for (const folder of options.folders) results.push(await folderRead(client, folder, folders, describe));
  }
  const selector = new JobSelector(options.deployJobs, options.buildJobs);
  for (const job of configuredJobs(options, context)) {
    results.push(await jobRead(client, job, selector, folders, describe));
  }
  return results;
}

async function topLevelItems(
  client: JenkinsClient,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  try {
    const listing = await client.folder(null);
    const count = listing.jobs?.length ?? 0;
    return count > 0
      ? { name: 'read:jobs', ok: true, detail: `${count} top-level items visible (Job/Read)` }
      : {
          name: 'read:jobs',
          ok: false,
          detail: 'no item is visible: grant Job/Read (or the instance has no jobs)',
          affects: EVERYTHING,
          fix: jobReadFix('the jobs and folders to audit'),
        };
  } catch (err) {
    return { name: 'read:jobs', ok: false, detail: describe(err), affects: EVERYTHING };
  }
}

async function folderRead(
  client: JenkinsClient,
  folder: string,
  plugin: FoldersPlugin,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  const name = `folder:${folder}`;
  try {
    const listing = await client.folder(folder);
    return { name, ok: true, detail: `${listing.jobs?.length ?? 0} items visible (Job/Read)` };
  } catch (err) {
    const code = isUpstreamError(err) ? err.code : undefined;
    if (code === 'forbidden') {
      return {
        name,
        ok: false,
        detail: `the user lacks Job/Read on folder ${folder} (${describe(err)})`,
        affects: EVERYTHING,
        fix: jobReadFix(`folder ${folder}`),
      };
    }
    if (code === 'not_found') {
      const noPlugin = await plugin.missing();
      return {
        name,
        ok: false,
        detail: noPlugin
          ? `folder ${folder} not found: this Jenkins lists no folder at all, so the Folders plugin (cloudbees-folder) is probably not installed and every job is at its root (${describe(err)})`
          : `folder ${folder} not found, or not visible to the user (${describe(err)})`,
        affects: EVERYTHING,
        fix: noPlugin
          ? 'remove options.folders (every job is at the root), or install the Folders plugin'
          : `check options.folders (full names, \`team/sub\`), or ${jobReadFix(`folder ${folder}`)}`,
      };
    }
    return { name, ok: false, detail: describe(err), affects: EVERYTHING };
  }
}

/** The jobs named in config: the catalog's keys for this connector, and globs that name one job. */
export function configuredJobs(
  options: Pick<ResolvedJenkinsOptions, 'deployJobs' | 'buildJobs'>,
  context: CheckContext,
): string[] {
  const names = new Set<string>();
  for (const service of context.services ?? []) {
    const key =
      (context.connectorId ? service.keys?.[context.connectorId] : undefined) ?? service.keys?.jenkins;
    if (typeof key === 'string' && key.trim()) names.add(key.trim().replace(/^\/+|\/+$/g, ''));
  }
  for (const glob of [...options.deployJobs, ...(options.buildJobs ?? [])]) {
    if (!glob.includes('*')) names.add(glob.replace(/^\/+|\/+$/g, ''));
  }
  return [...names];
}

async function jobRead(
  client: JenkinsClient,
  job: string,
  selector: JobSelector,
  plugin: FoldersPlugin,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  const name = `job:${job}`;
  const kinds: RecordKind[] = [
    ...(selector.isDeployJob(job) ? (['deployment'] as const) : []),
    ...(selector.isBuildJob(job) ? (['build'] as const) : []),
  ];
  const affects = { kinds };
  try {
    await client.job(job);
    return { name, ok: true, detail: `job ${job} is readable (Job/Read)` };
  } catch (err) {
    const code = isUpstreamError(err) ? err.code : undefined;
    if (code === 'forbidden') {
      return {
        name,
        ok: false,
        detail: `job ${job} exists but the user lacks Job/Read on it (Jenkins answers 403 to a user with Job/Discover only): it is missing from every list, and its builds are not read (${describe(err)})`,
        affects,
        fix: jobReadFix(`job ${job}`),
      };
    }
    if (code === 'not_found') {
      const flat = job.includes('/') && (await plugin.missing());
      return {
        name,
        ok: false,
        detail: flat
          ? `job ${job} not found: this Jenkins lists no folder, so the Folders plugin is probably not installed and no job has a folder in its name (${describe(err)})`
          : `job ${job} not found: there is no such job, or the user may not see it (no Job/Read and no Job/Discover); a job is named by its full name, folders joined by / (${describe(err)})`,
        affects,
        fix: `name the job by its full name in services[].keys and options.deployJobs/buildJobs, or ${jobReadFix(`job ${job}`)}`,
      };
    }
    return { name, ok: false, detail: describe(err), affects };
  }
}

/** Whether the instance shows no folder at all (no root item has child jobs), asked once. */
class FoldersPlugin {
  private answer?: Promise<boolean>;

  constructor(private readonly client: JenkinsClient) {}

  missing(): Promise<boolean> {
    this.answer ??= this.client.folder(null).then(
      (root) => !(root.jobs ?? []).some((item) => Array.isArray(item?.jobs)),
      () => false,
    );
    return this.answer;
  }
}
