/**
 * A build of a job that produces artifacts → `build` record (records.md): what RM-ART-001 compares a
 * deployment's fingerprints with, and RM-EVD-001 looks for test results in.
 */
import type { BuildRecord, NormalizedRecord } from '@audit-hub/domain';
import { causesOf, mapCause } from './jenkins-cause.mapper';
import {
  epochToIso,
  fingerprintsOf,
  parametersOf,
  rawOf,
  testReportOf,
  type IdentityOf,
} from './jenkins-build-facts.mapper';
import { gitCheckouts, selectCheckout, type RepositoryHint } from './jenkins-revision.selector';
import type { JenkinsBuild } from './jenkins.types';

/** The job a build belongs to, and what is known of the repository it builds. */
export interface JobContext {
  /** The job's identity: its full name when first read (jenkins-job-identity.ts), what records keep. */
  fullName: string;
  hint: RepositoryHint;
  /** Other jobs' names (upstream causes, fingerprint origins) → their identities. */
  identityOf?: IdentityOf;
}

/** A finished build (number, timestamp and result checked by the reader). */
export function mapBuild(build: JenkinsBuild, job: JobContext): NormalizedRecord<'build'> {
  const number = build.number as number;
  const checkout = selectCheckout(gitCheckouts(build.actions), job.hint);
  const data: BuildRecord = {
    job: job.fullName,
    number,
    result: build.result ?? '',
    startedAt: epochToIso(build.timestamp as number),
    durationMs: typeof build.duration === 'number' ? build.duration : 0,
    parameters: parametersOf(build.actions),
    causes: causesOf(build.actions).map((cause) => mapCause(cause, job.identityOf)),
    artifacts: fingerprintsOf(build).map(({ fileName, md5 }) => ({ fileName, md5 })),
    testReport: testReportOf(build.actions),
  };
  if (checkout) data.commitSha = checkout.sha;
  return { kind: 'build', externalId: `${job.fullName}#${number}`, data, raw: rawOf(build) };
}
