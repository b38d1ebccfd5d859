/**
 * Job discovery: a breadth-first crawl of folders (`job/a/job/b`), one `tree=` request per folder
 * giving its direct children, the folders of one level read together. A child with a `jobs` list
 * is a folder (Folder, multibranch project, organization folder), anything else a job. Without the
 * Folders plugin (cloudbees-folder) nothing has `jobs`: the root lists every job, and that is the
 * whole crawl.
 *
 * Jenkins lists only the items the user may read (`Jenkins.getItems` keeps those with Item/Read):
 * a job the user may not read is simply absent. Which folders were listed, and which could not be,
 * is kept so that a job missing from its listing can be told from one outside the crawl.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { PluginLogger, StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedJenkinsOptions } from './jenkins.config';
import type { JenkinsClient } from './jenkins.client';
import type { JenkinsBuildPointer, JenkinsFolderListing, JenkinsItem } from './jenkins.types';

/** A build as precisely as Jenkins tells it apart from any other: number, start, queue id. */
export interface BuildPointer {
  number: number;
  /** Start, epoch ms. */
  timestamp: number;
  /** Absent when Jenkins did not say (before 1.601, or -1: unknown). */
  queueId?: number;
}

export interface DiscoveredJob {
  /** Folder names joined by `/` (`payments/payments-api-deploy`): where the job is now. */
  fullName: string;
  className?: string;
  /** The newest build's number; null when the job has no build, undefined when Jenkins did not say. */
  lastBuild: number | null | undefined;
  /** The newest build, when Jenkins said its start (it recognises the job after a move). */
  newest?: BuildPointer;
  /** The oldest build Jenkins still keeps. */
  firstBuild?: number;
  /** The number the job's next build gets: every lower number was handed out to a build. */
  nextBuildNumber?: number;
}

export interface Discovery {
  jobs: DiscoveredJob[];
  problems: StreamProblem[];
  /** Folders whose children are known: listed, or shown empty by their parent (`''`: the root). */
  listed: Set<string>;
  /** Folders that could not be listed (refused, not found, malformed): their jobs are unknown. */
  unlisted: Set<string>;
  /** The crawl's roots (`''`: the whole instance) and depth, to tell what lies outside it. */
  roots: string[];
  maxDepth: number;
}

/** Whether a job full name lies inside the crawl (under a root, at most `maxDepth` folders below it). */
export function insideCrawl(discovery: Pick<Discovery, 'roots' | 'maxDepth'>, fullName: string): boolean {
  return discovery.roots.some((root) => {
    if (root && !fullName.startsWith(`${root}/`)) return false;
    const rest = root ? fullName.slice(root.length + 1) : fullName;
    return rest.split('/').length - 1 <= discovery.maxDepth;
  });
}

/** `a/b/c` → `a/b`; `c` → `''` (the root). */
export function parentOf(fullName: string): string {
  const at = fullName.lastIndexOf('/');
  return at < 0 ? '' : fullName.slice(0, at);
}

/** What fixes a folder or job the user may not list or read. */
export function jobReadFix(what: string): string {
  return `grant the connector's user Job/Read on ${what} (Manage Jenkins › Security: matrix or role-based authorization)`;
}

interface FolderToRead {
  /** null: the instance root. */
  fullName: string | null;
  /** Folder levels below the crawl root. */
  depth: number;
  /** A configured root folder (its absence is worth a problem). */
  configured: boolean;
}

export async function discoverJobs(
  client: JenkinsClient,
  options: Pick<ResolvedJenkinsOptions, 'folders' | 'maxDepth'>,
  logger: PluginLogger,
  kinds: RecordKind[],
): Promise<Discovery> {
  const jobs = new Map<string, DiscoveredJob>();
  const problems: StreamProblem[] = [];
  const visited = new Set<string>();
  const listed = new Set<string>();
  const unlisted = new Set<string>();
  let level: FolderToRead[] =
    options.folders.length > 0
      ? options.folders.map((fullName) => ({ fullName, depth: 0, configured: true }))
      : [{ fullName: null, depth: 0, configured: true }];

  while (level.length > 0) {
    const fresh = level.filter((folder) => {
      const key = folder.fullName ?? '';
      if (visited.has(key)) return false;
      visited.add(key);
      return true;
    });
    const listings = await Promise.all(
      fresh.map((folder) => readFolder(client, folder, problems, kinds, logger)),
    );
    const next: FolderToRead[] = [];
    fresh.forEach((folder, i) => {
      const key = folder.fullName ?? '';
      if (listings[i]) listed.add(key);
      else unlisted.add(key);
      for (const item of listings[i]?.jobs ?? []) {
        const child = childOf(folder.fullName, item);
        if (!child) {
          problems.push({
            where: `${describe(folder.fullName)} listing`,
            error: 'an item has no name',
            kinds,
          });
          continue;
        }
        if (Array.isArray(item.jobs)) {
          if (item.jobs.length === 0) {
            listed.add(child);
            continue;
          }
          if (folder.depth + 1 > options.maxDepth) {
            logger.warn('jenkins folder deeper than maxDepth not crawled', {
              folder: child,
              maxDepth: options.maxDepth,
            });
            continue;
          }
          next.push({ fullName: child, depth: folder.depth + 1, configured: false });
        } else if (!jobs.has(child)) {
          jobs.set(child, jobOf(child, item));
        }
      }
    });
    level = next;
  }
  logger.debug('jenkins jobs discovered', { jobs: jobs.size, folders: visited.size });
  return {
    jobs: [...jobs.values()],
    problems,
    listed,
    unlisted,
    roots: options.folders.length > 0 ? [...options.folders] : [''],
    maxDepth: options.maxDepth,
  };
}

function jobOf(fullName: string, item: JenkinsItem): DiscoveredJob {
  const job: DiscoveredJob = { fullName, className: item._class, lastBuild: lastBuildOf(item) };
  const newest = pointerOf(item.lastBuild);
  if (newest) job.newest = newest;
  const first = item.firstBuild?.number;
  if (typeof first === 'number' && Number.isInteger(first) && first > 0) job.firstBuild = first;
  const next = item.nextBuildNumber;
  if (typeof next === 'number' && Number.isInteger(next) && next > 0) job.nextBuildNumber = next;
  return job;
}

/** A build pointer with a number and a start; the queue id when Jenkins knows it (not -1). */
export function pointerOf(build: JenkinsBuildPointer | null | undefined): BuildPointer | undefined {
  const number = build?.number;
  const timestamp = build?.timestamp;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) return undefined;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  const queueId = build?.queueId;
  return typeof queueId === 'number' && Number.isInteger(queueId) && queueId >= 0
    ? { number, timestamp, queueId }
    : { number, timestamp };
}

/**
 * A folder's listing, or undefined with a problem naming it when Jenkins refuses it (403), does
 * not know it (404) or answers something that is not a listing. Any other error (401, 5xx after
 * retries, network) fails the stream, as does a refused instance root: nothing could be read then.
 */
async function readFolder(
  client: JenkinsClient,
  folder: FolderToRead,
  problems: StreamProblem[],
  kinds: RecordKind[],
  logger: PluginLogger,
): Promise<JenkinsFolderListing | undefined> {
  try {
    return await client.folder(folder.fullName);
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    const where = describe(folder.fullName);
    if (err.code === 'malformed') {
      problems.push({ where, error: client.http.redact(err.message), kinds, code: 'jenkins-malformed-page' });
      return undefined;
    }
    if (folder.fullName === null) throw err;
    // A missing permission or a wrong folder name: reading again cannot help until someone acts,
    // so the other jobs' numbers move on (`lasting`); the folder's jobs are read once it lists.
    if (err.code === 'forbidden') {
      problems.push({
        where,
        error: `Jenkins refused to list ${where} (403): the user lacks Job/Read on it (${client.http.redact(err.message)})`,
        kinds,
        code: 'jenkins-folder-forbidden',
        fix: jobReadFix(`folder ${folder.fullName}`),
        lasting: true,
      });
      return undefined;
    }
    if (err.code === 'not_found') {
      if (folder.configured) {
        problems.push({
          where,
          error: `${where} was not found (404): there is no such folder, the user may not see it, or this Jenkins has no Folders plugin (cloudbees-folder), so every job is at its root`,
          kinds,
          code: 'jenkins-folder-not-found',
          fix: `check options.folders (full names, \`team/sub\`), or ${jobReadFix(`folder ${folder.fullName}`)}`,
          lasting: true,
        });
      } else {
        logger.debug('jenkins folder vanished during the crawl', { folder: folder.fullName });
      }
      return undefined;
    }
    throw err;
  }
}

function childOf(parent: string | null, item: JenkinsItem): string | undefined {
  if (typeof item?.fullName === 'string' && item.fullName.length > 0) return item.fullName;
  if (typeof item?.name !== 'string' || item.name.length === 0) return undefined;
  return parent ? `${parent}/${item.name}` : item.name;
}

function lastBuildOf(item: JenkinsItem): number | null | undefined {
  if (item.lastBuild === null) return null;
  const number = item.lastBuild?.number;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

function describe(fullName: string | null): string {
  return fullName ? `folder ${fullName}` : 'the instance root';
}
