/**
 * The new finished builds of one job, newest first, one `allBuilds[…]{m,n}` request per page.
 *
 * Incremental by build number: numbers only grow and `allBuilds` lists newest first, so the builds
 * newer than the saved number N are at most `newest − N` entries — the requested range never goes
 * past the saved build (a second run with N = 311 and newest 313 asks `{0,2}`), and a job whose
 * newest build is N costs no request at all. On a first (or full) run the pages go back to the
 * collection horizon (`since`).
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { PluginLogger, StreamProblem } from '@audit-hub/plugin-sdk';
import type { JenkinsClient } from './jenkins.client';
import type { DiscoveredJob } from './jenkins-jobs.resolver';
import type { JenkinsBuild } from './jenkins.types';

/** The cursor of both streams: per job full name, the build number up to which every build was read. */
export type JenkinsJobsCursor = { jobs: Record<string, number> };

export function parseCursor(cursor: unknown): JenkinsJobsCursor {
  const out: JenkinsJobsCursor = { jobs: {} };
  const jobs = cursor && typeof cursor === 'object' ? (cursor as { jobs?: unknown }).jobs : undefined;
  if (!jobs || typeof jobs !== 'object') return out;
  for (const [name, value] of Object.entries(jobs)) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) out.jobs[name] = value;
  }
  return out;
}

export interface HistoryPage {
  /** Finished builds newer than the saved number and not older than `since`, newest first. */
  builds: JenkinsBuild[];
  problems: StreamProblem[];
  /**
   * Set on the job's last page: the number to save. Held just below the oldest build still running
   * (or without a result yet), so the next run reads it again once it has finished.
   */
  mark?: number;
}

export interface HistoryOptions {
  pageSize: number;
  since: Date;
  kinds: RecordKind[];
}

export class BuildHistoryReader {
  constructor(
    private readonly client: JenkinsClient,
    private readonly options: HistoryOptions,
    private readonly logger: PluginLogger,
  ) {}

  async *pages(job: DiscoveredJob, saved: number | undefined): AsyncGenerator<HistoryPage> {
    if (job.lastBuild === null) return;
    let after = saved;
    if (after !== undefined && job.lastBuild !== undefined && job.lastBuild < after) {
      // Numbering went backwards: the job was deleted and re-created under the same name.
      this.logger.warn('jenkins job numbering restarted: reading it again from the horizon', {
        job: job.fullName,
        saved: after,
        lastBuild: job.lastBuild,
      });
      after = undefined;
    }
    if (after !== undefined && job.lastBuild !== undefined && job.lastBuild <= after) return;

    const since = this.options.since.getTime();
    let newest = job.lastBuild;
    let examined: number | undefined;
    let held: number | undefined;
    let lowest: number | undefined;
    for (let from = 0; ;) {
      // Builds started after discovery push the range down; `newest` grows with them.
      const remaining = after !== undefined && newest !== undefined ? newest - after - from : Infinity;
      const to = from + Math.min(this.options.pageSize, Math.max(remaining, 1));
      let builds: JenkinsBuild[];
      try {
        builds = await this.client.builds(job.fullName, from, to);
      } catch (err) {
        const problem = this.problem(job, err);
        if (!problem) throw err;
        // The job's number stays where it was: the next run reads these builds again.
        yield { builds: [], problems: [problem] };
        return;
      }

      const unordered = this.rangeIgnored(builds, to - from, lowest);
      if (unordered) {
        // Reading on could loop over the same builds for ever; the job's number stays where it was.
        yield {
          builds: [],
          problems: [
            {
              where: `job ${job.fullName} builds {${from},${to}}`,
              error: unordered,
              kinds: this.options.kinds,
            },
          ],
        };
        return;
      }
      const page: HistoryPage = { builds: [], problems: [] };
      let reachedEnd = builds.length < to - from;
      for (const [index, build] of builds.entries()) {
        const number = build?.number;
        if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
          page.problems.push({
            where: `job ${job.fullName} builds {${from},${to}} entry ${index}`,
            error: 'a build without a numeric "number"',
            kinds: this.options.kinds,
          });
          continue;
        }
        if (after !== undefined && number <= after) {
          reachedEnd = true;
          break;
        }
        newest = newest === undefined ? number : Math.max(newest, number);
        lowest = lowest === undefined ? number : Math.min(lowest, number);
        examined = examined === undefined ? number : Math.max(examined, number);
        if (typeof build.timestamp !== 'number' || !Number.isFinite(build.timestamp)) {
          page.problems.push({
            where: `job ${job.fullName} build #${number}`,
            error: 'a build without a numeric "timestamp"',
            kinds: this.options.kinds,
          });
          continue;
        }
        if (build.timestamp < since) {
          reachedEnd = true;
          break;
        }
        if (build.building === true || build.result === null || build.result === undefined) {
          held = held === undefined ? number : Math.min(held, number);
          continue;
        }
        page.builds.push(build);
      }
      const covered = after !== undefined && newest !== undefined && to >= newest - after;
      if (reachedEnd || covered) {
        const mark = held !== undefined ? held - 1 : (examined ?? after);
        if (mark !== undefined) page.mark = mark;
        yield page;
        return;
      }
      yield page;
      from = to;
    }
  }

  /**
   * Why a page cannot be a range of the newest-first list, if it cannot: more builds than asked
   * for (a Jenkins that ignores `{m,n}`), or a build not older than one of an earlier page.
   */
  private rangeIgnored(
    builds: JenkinsBuild[],
    asked: number,
    lowest: number | undefined,
  ): string | undefined {
    if (builds.length > asked) {
      return `Jenkins answered ${builds.length} builds for a range of ${asked}: it does not honour allBuilds{m,n}`;
    }
    const numbers = builds.map((build) => build?.number).filter((n): n is number => typeof n === 'number');
    if (
      numbers.some((n, i) => i > 0 && n >= numbers[i - 1]) ||
      (lowest !== undefined && numbers.some((n) => n >= lowest))
    ) {
      return 'the builds are not newest first, or a page repeats builds of an earlier one';
    }
    return undefined;
  }

  /**
   * A page Jenkins would not give (403, 404: the job was deleted since discovery) or that is not a
   * page of builds: a problem naming the job, and the stream goes on with the next job. Anything
   * else (401, 5xx after retries, network) fails the stream.
   */
  private problem(job: DiscoveredJob, err: unknown): StreamProblem | undefined {
    if (!isUpstreamError(err) || !['forbidden', 'not_found', 'malformed'].includes(err.code))
      return undefined;
    return {
      where: `job ${job.fullName} builds`,
      error: this.client.http.redact(err.message),
      kinds: this.options.kinds,
    };
  }
}
