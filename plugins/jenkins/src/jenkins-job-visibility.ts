/**
 * Jobs a stream expected and did not find listed, and what Jenkins says of them when asked by name.
 *
 * Jenkins lists only the items the user may read (`Jenkins.getItems` keeps those with Item/Read),
 * so a missing job looks the same as one that never existed. Asked for by name, Jenkins tells more
 * (`Jenkins.getItem`): 200 when the user may read it, 403 when it holds only Job/Discover (the job
 * exists: "Please login to access job …"), 404 when there is no such job or the user may not even
 * discover it. Two kinds of jobs are expected:
 *
 * - a job the stream read before and that is neither listed nor found elsewhere (moved, see
 *   jenkins-job-identity.ts): refused (403) — its new builds cannot be read until the permission
 *   is back, every run says so; gone (404) — deleted (a multibranch branch pruned after its merge,
 *   or a job removed), together with every build it still had: builds it ran after the last read
 *   are unknowable, said once, and the job is forgotten;
 * - a job that a deployment's artifacts name as the build that produced them (the fingerprint's
 *   `original`, else the upstream cause), when it is not among the jobs read as build jobs:
 *   RM-ART-001 cannot compare the digests, and leaves those deployments undecided by itself (the
 *   records say what they point at), so the problem names no kind as incomplete (`kinds: []`).
 *
 * All of these are `lasting`: reading again changes nothing until someone grants, restores or
 * configures something.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { JenkinsClient } from './jenkins.client';
import { insideCrawl, jobReadFix, parentOf, type Discovery } from './jenkins-jobs.resolver';

export type Presence = 'readable' | 'forbidden' | 'gone' | 'unknown';

/** Asks Jenkins for jobs by name, once each per run. */
export class JobProbe {
  private readonly answers = new Map<string, Promise<Presence>>();

  constructor(private readonly client: JenkinsClient) {}

  presence(fullName: string): Promise<Presence> {
    let answer = this.answers.get(fullName);
    if (!answer) {
      answer = this.ask(fullName);
      this.answers.set(fullName, answer);
    }
    return answer;
  }

  private async ask(fullName: string): Promise<Presence> {
    try {
      await this.client.job(fullName);
      return 'readable';
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      if (err.code === 'forbidden') return 'forbidden';
      if (err.code === 'not_found') return 'gone';
      if (err.code === 'malformed') return 'unknown';
      throw err;
    }
  }
}

/** Whether a job could have been listed: inside the crawl, and no folder above it failed to list. */
export function couldBeListed(discovery: Discovery, fullName: string): boolean {
  if (!insideCrawl(discovery, fullName)) return false;
  for (let folder = parentOf(fullName); ; folder = parentOf(folder)) {
    if (discovery.unlisted.has(folder)) return false;
    if (folder === '') return true;
  }
}

export interface MissingVerdict {
  problem?: StreamProblem;
  /** Forget the job (its number and what was known of it): Jenkins no longer has it. */
  forget: boolean;
}

/** What to say of a job read before, neither listed now nor found moved. */
export async function missingJobVerdict(
  probe: JobProbe,
  discovery: Discovery,
  job: { identity: string; at: string },
  kinds: RecordKind[],
): Promise<MissingVerdict> {
  // A folder that failed to list is a problem already; a job outside the crawl is not this run's.
  if (!couldBeListed(discovery, job.at)) return { forget: false };
  const named = job.at === job.identity ? `job ${job.at}` : `job ${job.identity} (at ${job.at})`;
  switch (await probe.presence(job.at)) {
    case 'forbidden':
      return {
        forget: false,
        problem: {
          where: named,
          error: `Jenkins no longer lists ${named} and refuses it (403): the user lost Job/Read on it, so its new builds cannot be read`,
          kinds,
          code: 'jenkins-job-forbidden',
          fix: jobReadFix(`job ${job.at}`),
          lasting: true,
        },
      };
    case 'gone':
      return {
        forget: true,
        problem: {
          where: named,
          error: `${named} is gone (404): deleted — a multibranch branch pruned after its merge, or a job removed — with its builds, or hidden from the user entirely; builds it ran after audit-hub last read it cannot be known`,
          kinds,
          code: 'jenkins-job-gone',
          fix: "nothing for a pruned branch; to keep such builds auditable, collect before the multibranch project's orphaned item strategy deletes branches, or grant Job/Read (and Job/Discover) if the job was hidden",
          lasting: true,
        },
      };
    default:
      // Readable though not listed (or an answer that says nothing): nothing to conclude this run.
      return { forget: false };
  }
}

/**
 * What to say of a job that produced a deployed artifact and is not read as a build job; undefined
 * when it is. `asBuildJob`: whether the `builds` stream reads the job (when it is listed).
 */
export async function originJobProblem(
  probe: JobProbe,
  discovery: Discovery,
  job: string,
  listed: boolean,
  asBuildJob: boolean,
): Promise<StreamProblem | undefined> {
  const base = { where: `job ${job}`, kinds: [] as RecordKind[], lasting: true };
  const cost =
    'the deployments whose artifacts it produced cannot be compared with its builds (RM-ART-001 leaves them undecided)';
  if (listed) {
    if (asBuildJob) return undefined;
    return {
      ...base,
      error: `job ${job} produced deployed artifacts but is not read as a build job: ${cost}`,
      code: 'jenkins-origin-job-not-collected',
      fix: `add it to options.buildJobs`,
    };
  }
  if (!insideCrawl(discovery, job)) {
    return {
      ...base,
      error: `job ${job} produced deployed artifacts but lies outside the folders crawled: ${cost}`,
      code: 'jenkins-origin-job-outside-crawl',
      fix: 'add its folder to options.folders (or raise options.maxDepth)',
    };
  }
  if (!couldBeListed(discovery, job)) return undefined;
  switch (await probe.presence(job)) {
    case 'forbidden':
      return {
        ...base,
        error: `job ${job} produced deployed artifacts but Jenkins refuses it (403: Job/Discover without Job/Read): ${cost}`,
        code: 'jenkins-origin-job-forbidden',
        fix: jobReadFix(`job ${job}`),
      };
    case 'gone':
      return {
        ...base,
        error: `job ${job} produced deployed artifacts but is not found (404): deleted, or hidden from the user: ${cost}`,
        code: 'jenkins-origin-job-not-found',
        fix: `${jobReadFix(`job ${job}`)}, if it still exists`,
      };
    default:
      return undefined;
  }
}
