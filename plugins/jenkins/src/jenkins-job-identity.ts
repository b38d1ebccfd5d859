/**
 * Which job is which from one run to the next, although Jenkins jobs move.
 *
 * A job moved to another folder or renamed (`Items.move`, `AbstractItem.renameTo`) keeps its
 * builds, their numbers, starts and queue ids (`Job.movedTo` moves the build directory as is); only
 * its full name changes, and Jenkins rewrites the name in the fingerprints of its builds
 * (`Fingerprint.ProjectRenameListener.onLocationChanged`). Jenkins keeps no identifier of a job
 * that outlives a move, so records keyed `<full name>#<number>` would come back under the new name
 * as new deployments (duplicate findings).
 *
 * So each job has an **identity**: the full name under which a stream first met it. Its records
 * keep it (`externalId` `<identity>#<number>`, `project` / `job`), and so does the cursor. The
 * cursor also remembers, per identity, where the job was and its newest build then (number, start,
 * queue id). A job listed under a name no identity has, while a known job is no longer listed, is
 * the known job moved when it has that newest build — same number, same start to the millisecond,
 * same queue id — or, when the build discarder deleted that build meanwhile, when it has the same
 * name and its oldest kept build is newer. The move is logged; the job reads on from its number.
 */
import type { PluginLogger } from '@audit-hub/plugin-sdk';
import { isUpstreamError } from '@audit-hub/http';
import type { JenkinsClient } from './jenkins.client';
import { pointerOf, type BuildPointer, type DiscoveredJob } from './jenkins-jobs.resolver';

/** What a stream knew of a job at its last run. */
export type KnownJob = {
  /** Where the job was (its full name then), when that is not its identity: it moved. */
  at?: string;
  /** Its newest build then: `[number, start (epoch ms), queue id?]`. */
  last?: [number, number] | [number, number, number];
};

/**
 * The cursor of both streams. `jobs`: per job identity, the build number up to which every build
 * was read (or reported gone). `known`: what the stream knew of each job it met, to recognise a
 * job that moved. A cursor of an earlier version has only `jobs`: its jobs are their own identity.
 */
// Type aliases, not interfaces: a cursor must be assignable to the SDK's JSON `Cursor`.
export type JenkinsJobsCursor = {
  jobs: Record<string, number>;
  known?: Record<string, KnownJob>;
};

export function parseCursor(cursor: unknown): JenkinsJobsCursor {
  const out: JenkinsJobsCursor = { jobs: {} };
  if (!cursor || typeof cursor !== 'object') return out;
  const { jobs, known } = cursor as { jobs?: unknown; known?: unknown };
  if (jobs && typeof jobs === 'object') {
    for (const [name, value] of Object.entries(jobs)) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) out.jobs[name] = value;
    }
  }
  if (known && typeof known === 'object') {
    const entries: Record<string, KnownJob> = {};
    for (const [identity, value] of Object.entries(known)) {
      const entry = knownOf(value);
      if (entry) entries[identity] = entry;
    }
    if (Object.keys(entries).length > 0) out.known = entries;
  }
  return out;
}

function knownOf(value: unknown): KnownJob | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { at, last } = value as { at?: unknown; last?: unknown };
  const out: KnownJob = {};
  if (typeof at === 'string' && at.length > 0) out.at = at;
  if (Array.isArray(last)) {
    const pointer = pointerOf({ number: last[0], timestamp: last[1], queueId: last[2] });
    if (pointer) out.last = lastOf(pointer);
  }
  return out.at !== undefined || out.last !== undefined ? out : undefined;
}

function lastOf(pointer: BuildPointer): KnownJob['last'] {
  return pointer.queueId === undefined
    ? [pointer.number, pointer.timestamp]
    : [pointer.number, pointer.timestamp, pointer.queueId];
}

function pointerOfLast(last: KnownJob['last']): BuildPointer | undefined {
  return last ? pointerOf({ number: last[0], timestamp: last[1], queueId: last[2] }) : undefined;
}

/** A discovered job with the identity its records and cursor use. */
export interface IdentifiedJob extends DiscoveredJob {
  identity: string;
}

export interface JobMove {
  identity: string;
  from: string;
  to: string;
  /** `build`: the job has the build the stream saw newest; `numbering`: that build was discarded meanwhile. */
  evidence: 'build' | 'numbering';
}

/** A job the stream knew that is no longer listed, and was not found elsewhere. */
export interface MissingJob {
  identity: string;
  /** Where it was last. */
  at: string;
}

export interface Identities {
  /** Every discovered job whose identity is settled. */
  jobs: IdentifiedJob[];
  moves: JobMove[];
  missing: MissingJob[];
  /**
   * Listed jobs at a full name that is the identity of another job (one that moved away): their
   * builds would take that job's record ids, so they are not read.
   */
  clashes: DiscoveredJob[];
  /** The identity of a job by a full name Jenkins gives now (a moved job's new name → its identity). */
  identityOf(fullName: string): string;
  /** What to remember of every job: the cursor's `known` (the missing ones stay until dropped). */
  known: Record<string, KnownJob>;
}

/** Look-ups of builds spent per run to recognise moved jobs (one small request each). */
export const MAX_MOVE_PROBES = 50;

export async function identifyJobs(
  client: JenkinsClient,
  cursor: JenkinsJobsCursor,
  discovered: readonly DiscoveredJob[],
  logger: PluginLogger,
): Promise<Identities> {
  const known = cursor.known ?? {};
  const byName = new Map(discovered.map((job) => [job.fullName, job]));
  // Where each identity was last: the `known` entry, else (an earlier cursor) its own name.
  const where = new Map<string, string>();
  for (const identity of Object.keys(cursor.jobs)) where.set(identity, identity);
  for (const [identity, entry] of Object.entries(known)) where.set(identity, entry.at ?? identity);

  const identityOfName = new Map<string, string>();
  const lost: string[] = [];
  for (const [identity, at] of where) {
    if (byName.has(at) && !identityOfName.has(at)) identityOfName.set(at, identity);
    else lost.push(identity);
  }
  const fresh = discovered.filter((job) => !identityOfName.has(job.fullName));

  const moves: JobMove[] = [];
  const matcher = new MoveMatcher(client, logger);
  for (const identity of lost) {
    const anchor = pointerOfLast(known[identity]?.last);
    if (!anchor) continue;
    const from = where.get(identity) as string;
    const candidates = fresh
      .filter((job) => !identityOfName.has(job.fullName))
      .sort(
        (a, b) =>
          Number(lastSegment(b.fullName) === lastSegment(from)) -
          Number(lastSegment(a.fullName) === lastSegment(from)),
      );
    for (const job of candidates) {
      const evidence = await matcher.evidence(job, from, anchor);
      if (!evidence) continue;
      identityOfName.set(job.fullName, identity);
      moves.push({ identity, from, to: job.fullName, evidence });
      logger.warn('jenkins job moved: its builds keep their record ids under the name it had', {
        identity,
        from,
        to: job.fullName,
        evidence,
      });
      break;
    }
  }
  const moved = new Set(moves.map((move) => move.identity));

  // Identities whose job is now elsewhere: the name is theirs, not a new job's.
  const taken = new Set(
    [...where]
      .filter(([identity, at]) => at !== identity || moved.has(identity))
      .map(([identity]) => identity),
  );
  const jobs: IdentifiedJob[] = [];
  const clashes: DiscoveredJob[] = [];
  for (const job of discovered) {
    const identity = identityOfName.get(job.fullName);
    if (identity !== undefined) {
      jobs.push({ ...job, identity });
      continue;
    }
    // A new job where a known job used to be, that job having moved away with this name as its identity.
    if (taken.has(job.fullName)) {
      clashes.push(job);
      continue;
    }
    jobs.push({ ...job, identity: job.fullName });
  }

  const next: Record<string, KnownJob> = {};
  for (const identity of lost) {
    if (moved.has(identity) || known[identity] === undefined) continue;
    next[identity] = known[identity];
  }
  const aliases = new Map<string, string>();
  for (const job of jobs) {
    const entry: KnownJob = {};
    if (job.fullName !== job.identity) {
      entry.at = job.fullName;
      aliases.set(job.fullName, job.identity);
    }
    const last = job.newest ? lastOf(job.newest) : known[job.identity]?.last;
    if (last) entry.last = last;
    if (entry.at !== undefined || entry.last !== undefined) next[job.identity] = entry;
  }
  const missing = lost
    .filter((identity) => !moved.has(identity))
    .map((identity) => ({ identity, at: where.get(identity) as string }));
  return {
    jobs,
    moves,
    missing,
    clashes,
    identityOf: (fullName) => aliases.get(fullName) ?? fullName,
    known: next,
  };
}

/** Whether a newly listed job is a known one that moved, spending at most MAX_MOVE_PROBES look-ups. */
class MoveMatcher {
  private probes = 0;

  constructor(
    private readonly client: JenkinsClient,
    private readonly logger: PluginLogger,
  ) {}

  async evidence(
    job: DiscoveredJob,
    from: string,
    anchor: BuildPointer,
  ): Promise<JobMove['evidence'] | undefined> {
    if (typeof job.lastBuild !== 'number' || job.lastBuild < anchor.number) return undefined;
    if (job.newest && job.newest.number === anchor.number)
      return same(job.newest, anchor) ? 'build' : undefined;
    if (job.firstBuild !== undefined && job.firstBuild > anchor.number) {
      // The build seen newest was discarded since: the numbering carries on past it under the same name.
      return lastSegment(job.fullName) === lastSegment(from) ? 'numbering' : undefined;
    }
    if (this.probes >= MAX_MOVE_PROBES) {
      if (this.probes === MAX_MOVE_PROBES) {
        this.logger.warn(
          'jenkins: too many new jobs to look for moved ones this run; the rest are taken as new',
          {
            limit: MAX_MOVE_PROBES,
          },
        );
        this.probes++;
      }
      return undefined;
    }
    this.probes++;
    try {
      const build = pointerOf(await this.client.buildPointer(job.fullName, anchor.number));
      return build && same(build, anchor) ? 'build' : undefined;
    } catch (err) {
      if (isUpstreamError(err) && ['not_found', 'forbidden', 'malformed'].includes(err.code))
        return undefined;
      throw err;
    }
  }
}

/** The same build: same number, same start to the millisecond, and the same queue id when both are known. */
function same(a: BuildPointer, b: BuildPointer): boolean {
  if (a.number !== b.number || a.timestamp !== b.timestamp) return false;
  return a.queueId === undefined || b.queueId === undefined || a.queueId === b.queueId;
}

function lastSegment(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('/') + 1).toLowerCase();
}
