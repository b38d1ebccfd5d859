/**
 * Job discovery: a breadth-first crawl of folders (`job/a/job/b`), one `tree=` request per folder
 * giving its direct children, the folders of one level read together. A child with a `jobs` list
 * is a folder (Folder, multibranch project, organization folder), anything else a job.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { PluginLogger, StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedJenkinsOptions } from './jenkins.config';
import type { JenkinsClient } from './jenkins.client';
import type { JenkinsFolderListing, JenkinsItem } from './jenkins.types';

export interface DiscoveredJob {
  /** Folder names joined by `/` (`payments/payments-api-deploy`). */
  fullName: string;
  className?: string;
  /** The newest build's number; null when the job never ran, undefined when Jenkins did not say. */
  lastBuild: number | null | undefined;
}

export interface Discovery {
  jobs: DiscoveredJob[];
  problems: StreamProblem[];
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
          if (item.jobs.length === 0) continue;
          if (folder.depth + 1 > options.maxDepth) {
            logger.warn('jenkins folder deeper than maxDepth not crawled', {
              folder: child,
              maxDepth: options.maxDepth,
            });
            continue;
          }
          next.push({ fullName: child, depth: folder.depth + 1, configured: false });
        } else if (!jobs.has(child)) {
          jobs.set(child, { fullName: child, className: item._class, lastBuild: lastBuildOf(item) });
        }
      }
    });
    level = next;
  }
  logger.debug('jenkins jobs discovered', { jobs: jobs.size, folders: visited.size });
  return { jobs: [...jobs.values()], problems };
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
      problems.push({ where, error: client.http.redact(err.message), kinds });
      return undefined;
    }
    if (folder.fullName === null) throw err;
    if (err.code === 'forbidden') {
      problems.push({
        where,
        error: `Jenkins refused to list ${where} (403): the user lacks Job/Read on it (${client.http.redact(err.message)})`,
        kinds,
      });
      return undefined;
    }
    if (err.code === 'not_found') {
      if (folder.configured) {
        problems.push({
          where,
          error: `${where} was not found, or the user may not see it (404)`,
          kinds,
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
