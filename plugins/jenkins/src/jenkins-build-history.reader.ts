/**
 * The new finished builds of one job, newest first, one `allBuilds[…]{m,n}` request per page, and
 * the builds Jenkins no longer has.
 *
 * Incremental by build number: numbers only grow and `allBuilds` lists newest first, so the builds
 * newer than the saved number N are at most `newest − N` entries — a second run with N = 311 and
 * newest 313 asks `{0,2}`, and a job whose newest build is N costs no request at all. On a first
 * (or full) run the pages go back to the collection horizon (`since`).
 *
 * The list moves while it is read: a build started meanwhile pushes every entry down one place, a
 * build deleted above the page pulls them up. So each page after the first starts one entry early,
 * on the last build of the page before: entries already seen are skipped, and a page that no longer
 * holds that build is read again from further up. Within one answer the list is one snapshot, so a
 * number missing between two listed builds — or between the last one read and the saved number —
 * is a build Jenkins deleted: its build discarder (`LogRotator`: `numToKeep`, `daysToKeep`; it
 * keeps the last successful and last stable builds and any "keep forever" one, which leaves holes)
 * or a user (Run/Delete). Those builds are gone for good; they are reported as a lasting problem and
 * the job's number moves past them, so that the report comes once and the job does not stall.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { PluginLogger, StreamProblem } from '@audit-hub/plugin-sdk';
import type { JenkinsClient } from './jenkins.client';
import type { DiscoveredJob } from './jenkins-jobs.resolver';
import type { JenkinsBuild } from './jenkins.types';

export { parseCursor, type JenkinsJobsCursor } from './jenkins-job-identity';

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

/** Times a page is read again further up when the list moved under it, before giving up for this run. */
const MAX_REREADS = 3;

/** Builds the discarder (or a user) deleted: `[from, to]`, inclusive. */
export type NumberRange = [number, number];

export const BUILDS_DISCARDED = 'jenkins-builds-discarded';

export class BuildHistoryReader {
  constructor(
    private readonly client: JenkinsClient,
    private readonly options: HistoryOptions,
    private readonly logger: PluginLogger,
  ) {}

  /**
   * `job.fullName` is where the job is now (what is requested); `name` is what problems call it
   * (its identity, and where it is now when it moved).
   */
  async *pages(
    job: DiscoveredJob,
    saved: number | undefined,
    name = job.fullName,
  ): AsyncGenerator<HistoryPage> {
    // Every number below `nextBuildNumber` was handed out; the newest listed build may be lower
    // when the newest ones were deleted. Unknown when Jenkins said neither.
    const said = [job.lastBuild, job.nextBuildNumber === undefined ? undefined : job.nextBuildNumber - 1];
    const known = said.filter((n): n is number => typeof n === 'number');
    let top = known.length > 0 ? Math.max(...known) : undefined;
    if (job.lastBuild === null && (top ?? 0) === 0) return;
    let after = saved;
    if (after !== undefined && top !== undefined && top < after) {
      // Numbering went backwards: the job was deleted and re-created under the same name.
      this.logger.warn('jenkins job numbering restarted: reading it again from the horizon', {
        job: name,
        saved: after,
        newest: top,
      });
      after = undefined;
    }
    if (after !== undefined && top !== undefined && top <= after) return;

    const since = this.options.since.getTime();
    const gaps: NumberRange[] = [];
    let examined: number | undefined;
    let held: number | undefined;
    /** The lowest number examined: where the next page must start from. */
    let lowest: number | undefined;
    /** The number above the next build expected: a lower build means the ones between are gone. */
    let above = top === undefined ? undefined : top + 1;
    let asked = 0;
    let rereads = 0;
    for (;;) {
      // Builds started after discovery push the range down; `top` grows with them. Past the
      // positions that can hold new builds without having met the saved number, the list moved:
      // read on a whole page.
      const limit = after !== undefined && top !== undefined ? top - after : Infinity;
      const from = asked === 0 ? 0 : asked - 1;
      const to =
        asked + (limit > asked ? Math.min(this.options.pageSize, limit - asked) : this.options.pageSize);
      let builds: JenkinsBuild[];
      try {
        builds = await this.client.builds(job.fullName, from, to);
      } catch (err) {
        const problem = this.problem(name, err);
        if (!problem) throw err;
        // The job's number stays where it was: the next run reads these builds again.
        yield { builds: [], problems: [problem] };
        return;
      }
      const where = `job ${name} builds {${from},${to}}`;
      const unordered = rangeIgnored(builds, to - from);
      if (unordered) {
        // Reading on could loop over the same builds for ever; the job's number stays where it was.
        yield { builds: [], problems: [{ where, error: unordered, kinds: this.options.kinds }] };
        return;
      }
      const seen = lowest;
      if (
        seen !== undefined &&
        from > 0 &&
        !builds.some((build) => typeof build?.number === 'number' && build.number >= seen)
      ) {
        // The page does not start on the last build read: builds above it were deleted since the
        // last page and the entries moved up past it (an empty page too: the overlap is missing).
        if (rereads++ < MAX_REREADS) {
          asked = Math.max(0, asked - this.options.pageSize);
          continue;
        }
        yield {
          builds: [],
          problems: [
            {
              where,
              error: 'the list of builds kept changing while it was read (builds deleted above the page)',
              kinds: this.options.kinds,
              code: 'jenkins-builds-moving',
            },
          ],
        };
        return;
      }
      asked = to;

      const page: HistoryPage = { builds: [], problems: [] };
      let reachedEnd = builds.length < to - from;
      for (const [index, build] of builds.entries()) {
        const number = build?.number;
        if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
          page.problems.push({
            where: `${where} entry ${index}`,
            error: 'a build without a numeric "number"',
            kinds: this.options.kinds,
          });
          continue;
        }
        // Seen on an earlier page: pushed down by a build started since, or the page's overlap.
        if (seen !== undefined && number >= seen) continue;
        if (after !== undefined && number <= after) {
          if (above !== undefined && after + 1 < above) gaps.push([after + 1, above - 1]);
          above = after + 1;
          reachedEnd = true;
          break;
        }
        if (above !== undefined && number + 1 < above) gaps.push([number + 1, above - 1]);
        above = number;
        top = top === undefined ? number : Math.max(top, number);
        lowest = lowest === undefined ? number : Math.min(lowest, number);
        examined = examined === undefined ? number : Math.max(examined, number);
        if (typeof build.timestamp !== 'number' || !Number.isFinite(build.timestamp)) {
          page.problems.push({
            where: `job ${name} build #${number}`,
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
      // Nothing can lie between the saved number and the lowest build read.
      if (after !== undefined && lowest === after + 1) reachedEnd = true;
      if (reachedEnd && after !== undefined && above !== undefined && above > after + 1) {
        // The list ended above the saved number: the builds between were discarded.
        gaps.push([after + 1, above - 1]);
        above = after + 1;
      }
      if (reachedEnd) {
        const accounted = Math.max(examined ?? 0, after ?? 0, ...gaps.map(([, end]) => end));
        const mark = held !== undefined ? held - 1 : accounted > 0 ? accounted : undefined;
        // Numbers above the mark are looked at again next run: they are reported then, once.
        const gone = gaps
          .map(([start, end]): NumberRange => [start, Math.min(end, mark ?? 0)])
          .filter(([start, end]) => start <= end);
        if (gone.length > 0) page.problems.push(this.discarded(name, gone));
        if (mark !== undefined) page.mark = mark;
        yield page;
        return;
      }
      yield page;
    }
  }

  /**
   * Builds Jenkins no longer has, never read: the deployments (or builds) they were cannot be
   * known, so the run says so for the stream's kinds; reading again cannot bring them back, so the
   * problem is lasting and the job's number moves past them.
   */
  private discarded(name: string, gone: NumberRange[]): StreamProblem {
    const ranges = gone
      .sort((a, b) => a[0] - b[0])
      .map(([start, end]) => (start === end ? `#${start}` : `#${start}–#${end}`))
      .join(', ');
    const count = gone.reduce((n, [start, end]) => n + end - start + 1, 0);
    return {
      where: `job ${name} builds ${ranges}`,
      error: `Jenkins no longer has ${count === 1 ? 'this build' : `these ${count} builds`}: the job's build discarder (log rotation) or a user deleted ${count === 1 ? 'it' : 'them'} before audit-hub read ${count === 1 ? 'it' : 'them'}; what ${count === 1 ? 'it was' : 'they were'} cannot be known`,
      kinds: this.options.kinds,
      code: BUILDS_DISCARDED,
      fix: 'keep builds longer than the time between two audit-hub runs (the job\'s "Discard old builds": Max # of builds / Days to keep), or collect more often',
      lasting: true,
    };
  }

  /**
   * A page Jenkins would not give (403, 404: the job was deleted since discovery) or that is not a
   * page of builds: a problem naming the job, and the stream goes on with the next job. Anything
   * else (401, 5xx after retries, network) fails the stream.
   */
  private problem(name: string, err: unknown): StreamProblem | undefined {
    if (!isUpstreamError(err) || !['forbidden', 'not_found', 'malformed'].includes(err.code))
      return undefined;
    return {
      where: `job ${name} builds`,
      error: this.client.http.redact(err.message),
      kinds: this.options.kinds,
    };
  }
}

/**
 * Why a page cannot be a range of the newest-first list, if it cannot: more builds than asked for
 * (a Jenkins that ignores `{m,n}`), or builds not newest first.
 */
function rangeIgnored(builds: JenkinsBuild[], asked: number): string | undefined {
  if (builds.length > asked) {
    return `Jenkins answered ${builds.length} builds for a range of ${asked}: it does not honour allBuilds{m,n}`;
  }
  const numbers = builds.map((build) => build?.number).filter((n): n is number => typeof n === 'number');
  if (numbers.some((n, i) => i > 0 && n >= numbers[i - 1])) return 'the builds are not newest first';
  return undefined;
}
