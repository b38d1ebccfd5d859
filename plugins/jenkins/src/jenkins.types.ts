/**
 * The parts of Jenkins' JSON API (`…/api/json?tree=…`) this plugin reads. Every field is optional:
 * `tree=` leaves out what a class does not export, objects carry `_class` only from Jenkins 2.x on,
 * and `actions` holds empty `{}` entries for actions that export nothing.
 */

/**
 * A build as a listing points at it (`Job.getLastBuild()`, `getFirstBuild()`): its number, its
 * start (`Run.getTimestamp()`, epoch ms) and the id of the queue item it came from
 * (`Run.getQueueId()`, since Jenkins 1.601; -1 when unknown).
 */
export interface JenkinsBuildPointer {
  number?: number;
  timestamp?: number;
  queueId?: number;
}

/** An item of a folder listing: a job, or a folder (anything with `jobs`). */
export interface JenkinsItem {
  _class?: string;
  name?: string;
  fullName?: string;
  url?: string;
  /** Null when the job never ran (or every build was deleted). */
  lastBuild?: JenkinsBuildPointer | null;
  /** The oldest build Jenkins still keeps (the build discarder deletes the older ones). */
  firstBuild?: JenkinsBuildPointer | null;
  /** `Job.getNextBuildNumber()`: the number the next build gets; every lower one was handed out. */
  nextBuildNumber?: number;
  /** Present (possibly empty) on folders, multibranch projects and organization folders only. */
  jobs?: JenkinsItem[];
}

export interface JenkinsFolderListing {
  _class?: string;
  jobs?: JenkinsItem[];
}

export interface JenkinsParameter {
  _class?: string;
  name?: string;
  value?: unknown;
}

export interface JenkinsCause {
  _class?: string;
  shortDescription?: string;
  /** `hudson.model.Cause$UserIdCause`: null for an anonymous user. */
  userId?: string | null;
  userName?: string | null;
  /** `hudson.model.Cause$UpstreamCause`: the upstream job's full name and build number. */
  upstreamProject?: string;
  upstreamBuild?: number;
  upstreamUrl?: string;
  /** Causes of interruption (`…input.Rejection`): who rejected, and when (epoch ms). */
  user?: { id?: string; fullName?: string } | null;
  timestamp?: number;
}

export interface JenkinsRevision {
  SHA1?: string;
  branch?: { SHA1?: string; name?: string }[];
}

/**
 * One entry of a build's `actions`. Which fields are present depends on `_class`:
 * `hudson.model.ParametersAction` (parameters), `hudson.model.CauseAction` (causes),
 * `hudson.plugins.git.util.BuildData` (lastBuiltRevision, remoteUrls), `hudson.tasks.junit.TestResultAction`
 * (failCount, skipCount, totalCount), `…input.ApproverAction` (userId), `jenkins.model.InterruptedBuildAction` (causes).
 */
export interface JenkinsAction {
  _class?: string;
  /** A list on ParametersAction; ApproverAction exports a whole ParametersAction object here. */
  parameters?: (JenkinsParameter | null)[] | Record<string, unknown>;
  causes?: JenkinsCause[];
  lastBuiltRevision?: JenkinsRevision | null;
  remoteUrls?: string[];
  failCount?: number;
  skipCount?: number;
  totalCount?: number;
  userId?: string | null;
}

/** `Run.getBuildFingerprints()`, exported as `fingerprint` (only through `tree=` or `depth`). */
export interface JenkinsFingerprint {
  fileName?: string;
  /** MD5, lower-case hex. */
  hash?: string;
  /** The build that first fingerprinted the file; null when produced outside Jenkins or not visible to the user. */
  original?: { name?: string; number?: number } | null;
}

export interface JenkinsChangeSet {
  _class?: string;
  kind?: string | null;
  items?: { commitId?: string; comment?: string; msg?: string }[];
}

export interface JenkinsBuild {
  _class?: string;
  number?: number;
  /** SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED; null while running. */
  result?: string | null;
  building?: boolean;
  /** Start, epoch ms. */
  timestamp?: number;
  /** ms. */
  duration?: number;
  actions?: (JenkinsAction | null)[];
  artifacts?: { fileName?: string; relativePath?: string }[];
  fingerprint?: JenkinsFingerprint[];
  /** Pipeline runs. */
  changeSets?: JenkinsChangeSet[];
  /** Freestyle builds. */
  changeSet?: JenkinsChangeSet;
}

export interface JenkinsBuildsPage {
  _class?: string;
  allBuilds?: JenkinsBuild[];
}

/** A job as `GET /job/…/api/json?tree=name,fullName` answers it (a permission probe). */
export interface JenkinsJobProbe {
  _class?: string;
  name?: string;
  fullName?: string;
}

export interface JenkinsUser {
  id?: string;
  fullName?: string;
}
