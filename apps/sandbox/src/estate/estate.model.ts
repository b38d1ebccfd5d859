/**
 * The simulated enterprise, independent of any vendor. Each fake upstream (GitLab, ServiceNow and
 * its CMDB, Jenkins, SonarQube, Vault, CyberArk) renders this one model in its own wire shapes, so
 * a planted violation exists once and every system tells a consistent story about it.
 *
 * Time: every record carries the instant it came into being, and mutable records (changes,
 * approvals, config items) carry their revisions. A fake serves the estate *as of* its clock:
 * records created later are not served and only the revisions up to then apply. That is how time
 * travel works: move the clock and the estate moves with it.
 */

/** ISO-8601 UTC instant with milliseconds (`2024-05-01T10:00:00.000Z`); compares correctly as text. */
export type Instant = string;

export type PersonRole =
  'developer' | 'approver' | 'emergency-approver' | 'release-manager' | 'sre' | 'service-account';

export interface Person {
  /** Stable numeric id within the estate (GitLab renders it as the user id). */
  id: number;
  userName: string;
  email: string;
  name: string;
  firstName: string;
  lastName: string;
  title: string;
  /** Active at generation time; a leaver is inactive from `leftAt`. */
  active: boolean;
  roles: PersonRole[];
  team?: string;
  createdAt: Instant;
  leftAt?: Instant;
}

/** A directory group (ServiceNow `sys_user_group`), members by user name. */
export interface PeopleGroup {
  name: string;
  description: string;
  members: string[];
  createdAt: Instant;
}

export type Criticality = 'high' | 'medium' | 'low';

export interface Service {
  /** Stable numeric id (GitLab renders it as the project id). */
  id: number;
  name: string;
  /** `acme/<name>`: the repository path, also the service's key in every subject ref. */
  gitlabPath: string;
  team: string;
  criticality: Criticality;
  personalData: boolean;
  description: string;
  createdAt: Instant;
  /** An archived repository: listed by GitLab with `archived=true`, never deployed, not in the catalog. */
  archived: boolean;
  /** What deploys it: GitLab deploy jobs, or a Jenkins deploy job fed by a Jenkins build job. */
  deployVia: 'gitlab' | 'jenkins';
  /** Jenkins job full names (`finance/settlement-engine-deploy`), for a service deployed by Jenkins. */
  jenkins?: { deployJob: string; buildJob: string };
}

export type Tier = 'production' | 'staging' | 'testing' | 'development' | 'other';

export interface Environment {
  id: number;
  service: string;
  name: string;
  slug: string;
  /** What the upstream says; the hub trusts it over the name (`prod-sandbox` is tier `other`). */
  tier: Tier;
  externalUrl: string | null;
  createdAt: Instant;
}

export type SignatureStatus = 'verified' | 'verified_system' | 'unverified';

export interface CommitSignature {
  type: 'gpg' | 'x509';
  status: SignatureStatus;
  keyId: string;
  signerUserName: string;
}

export interface Commit {
  sha: string;
  service: string;
  title: string;
  message: string;
  authorUserName: string;
  committerUserName: string;
  authoredAt: Instant;
  committedAt: Instant;
  parentShas: string[];
  /** null: unsigned (GitLab answers the signature endpoint with 404). */
  signature: CommitSignature | null;
  additions: number;
  deletions: number;
}

export type MergeRequestState = 'opened' | 'merged' | 'closed';

export interface MergeRequest {
  id: number;
  iid: number;
  service: string;
  title: string;
  description: string;
  authorUserName: string;
  reviewerUserNames: string[];
  approvedBy: string[];
  approvalsRequired: number;
  sourceBranch: string;
  targetBranch: string;
  state: MergeRequestState;
  createdAt: Instant;
  updatedAt: Instant;
  mergedAt?: Instant;
  mergedByUserName?: string;
  mergeCommitSha?: string;
  /** The MR's own commits, oldest first; the last one is the MR's head. */
  commitShas: string[];
  labels: string[];
}

export interface PipelineVariable {
  key: string;
  value: string;
  /** Absent on some variables, as GitLab itself sometimes omits it. */
  variableType?: 'env_var' | 'file';
}

export interface TestReport {
  total: number;
  failed: number;
  skipped: number;
  errored: number;
  durationSeconds: number;
}

export type RunStatus = 'success' | 'failed' | 'canceled';

export interface Pipeline {
  id: number;
  iid: number;
  service: string;
  name: string;
  ref: string;
  tag: boolean;
  sha: string;
  beforeSha: string;
  source: 'push' | 'web' | 'merge_request_event';
  createdAt: Instant;
  startedAt: Instant;
  finishedAt: Instant;
  status: RunStatus;
  triggeredBy: string;
  variables: PipelineVariable[];
  /** null: the pipeline archived no test report. */
  testReport: TestReport | null;
}

/** The CI job that performed a deployment (GitLab's `deployable`). */
export interface DeployJob {
  id: number;
  name: string;
  stage: string;
  createdAt: Instant;
  startedAt: Instant;
  finishedAt: Instant;
  status: RunStatus;
  /** A manual job waits (`created` deployment) from its creation until someone plays it. */
  manual: boolean;
  userName: string;
}

/** A decision on a protected environment's deployment (GitLab Premium deployment approvals). */
export interface DeploymentApproval {
  userName: string;
  status: 'approved' | 'rejected';
  at: Instant;
  comment: string | null;
}

export interface Deployment {
  /** Instance-wide id: the one in subject refs (`gitlab:acme/payments-api#1042`). */
  id: number;
  iid: number;
  service: string;
  environment: string;
  environmentId: number;
  status: RunStatus;
  ref: string;
  tag: boolean;
  sha: string;
  /** When the deployment record was created: with its job, which for a manual job is long before it starts. */
  createdAt: Instant;
  finishedAt: Instant;
  updatedAt: Instant;
  triggeredBy: string;
  pipelineId: number;
  job: DeployJob;
  /** MRs shipped with it (merged since the previous successful deployment to the same environment). */
  mergeRequestIids: number[];
  version: string;
  /** Approvals of the protected environment, given before the job started; empty when it is not protected. */
  approvals: DeploymentApproval[];
}

export type ChangeType = 'normal' | 'standard' | 'emergency';
export type ChangeState =
  'new' | 'assess' | 'authorize' | 'scheduled' | 'implement' | 'review' | 'closed' | 'canceled';
export type ChangeApprovalValue = 'not_requested' | 'requested' | 'approved' | 'rejected';

/** The mutable part of a change, as it stood from `at` until the next revision. */
export interface ChangeRevision {
  at: Instant;
  by: string;
  state: ChangeState;
  approval: ChangeApprovalValue;
  approvalSetAt: Instant | null;
  workStart: Instant | null;
  workEnd: Instant | null;
  closedAt: Instant | null;
  closedBy: string | null;
  closeCode: 'successful' | 'successful_issues' | 'unsuccessful' | null;
  closeNotes: string;
}

export interface Change {
  number: string;
  type: ChangeType;
  createdAt: Instant;
  createdBy: string;
  requestedBy: string;
  assignedTo: string | null;
  assignmentGroup: string | null;
  /** The service whose configuration item the change names (`cmdb_ci`), or null. */
  service: string | null;
  category: string;
  risk: 'high' | 'moderate' | 'low';
  shortDescription: string;
  description: string;
  plannedStart: Instant | null;
  plannedEnd: Instant | null;
  /** Restricted by ACL: the audit account cannot read it (ServiceNow still counts it against the page). */
  confidential: boolean;
  /** Oldest first; the first one is the change as created. */
  revisions: ChangeRevision[];
}

export type ApproverState = 'requested' | 'approved' | 'rejected' | 'cancelled' | 'not_required';

export interface ChangeApproval {
  /** Stable key within the estate (ServiceNow renders a sys_id from it). */
  key: string;
  change: string;
  approver: string;
  group: string | null;
  createdAt: Instant;
  revisions: { at: Instant; state: ApproverState; comment: string }[];
}

export interface ConfigItem {
  key: string;
  /** The service it stands for. */
  service: string;
  name: string;
  /** 1 most critical … 4 not critical. */
  criticality: 1 | 2 | 3 | 4;
  environment: 'Production';
  installStatus: 'installed' | 'retired';
  supportGroup: string;
  createdAt: Instant;
  /** The version recorded after each successful production release, oldest first. */
  versions: { at: Instant; version: string }[];
  /** From then on the discovery job no longer records new versions (the CMDB drifts). */
  versionSyncStoppedAt?: Instant;
}

/** Why a CI build ran (Jenkins causes). */
export type CiCause =
  | { type: 'user'; userName: string }
  | { type: 'upstream'; job: string; number: number }
  /** A replay: the UI-edited script of build `number`, run by `userName`. */
  | { type: 'replay'; number: number; userName: string }
  | { type: 'timer' }
  | { type: 'scm' };

/** One repository a build checked out (Jenkins records one git BuildData each, libraries included). */
export interface CiCheckout {
  remoteUrl: string;
  sha: string;
  /** As the git plugin records it: `origin/main`, `refs/tags/v1.4.0`. */
  branch: string;
}

/** A file's digest as the build recorded it, and the build that first recorded that digest. */
export interface CiFingerprint {
  fileName: string;
  md5: string;
  /** null: first seen outside CI, or in a job the audit user cannot see. */
  original: { job: string; number: number } | null;
}

export interface CiParameter {
  name: string;
  value: string | boolean;
  kind: 'string' | 'boolean' | 'password';
}

export interface CiJob {
  /** Folders joined by `/` (`finance/settlement-engine-deploy`). */
  fullName: string;
  kind: 'build' | 'deploy' | 'other';
  /** Pipeline (`WorkflowJob`) or freestyle. */
  pipeline: boolean;
  service: string | null;
  description: string;
  createdAt: Instant;
}

/** A build of a CI job (Jenkins): for a deploy job, a deployment to the environment it names. */
export interface CiBuild {
  job: string;
  number: number;
  service: string | null;
  startedAt: Instant;
  durationMs: number;
  result: 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED';
  parameters: CiParameter[];
  causes: CiCause[];
  /** In the order Jenkins recorded them: the shared library first, then the job's own checkout. */
  checkouts: CiCheckout[];
  artifacts: { fileName: string; relativePath: string }[];
  fingerprints: CiFingerprint[];
  /** null: no JUnit result archived. */
  testReport: TestReport | null;
  /** Input-step approvers (`ApproverAction`). */
  approvers: string[];
  /** The commits new since the job's previous build. */
  changeSet: { sha: string; message: string; author: string }[];
  /** Deploy builds: the environment (`ENVIRONMENT` parameter) and the version deployed. */
  environment?: string;
  version?: string;
}

/** A static-analysis run of one commit of a service (SonarQube analysis and its quality gate). */
export interface QualityAnalysis {
  key: string;
  service: string;
  revision: string;
  at: Instant;
  version: string;
  status: 'OK' | 'WARN' | 'ERROR';
  conditions: {
    metric: string;
    comparator: 'LT' | 'GT';
    threshold: string;
    actual: string;
    status: 'OK' | 'WARN' | 'ERROR';
  }[];
}

/** Secret-store access (HashiCorp Vault identity): policies held by entities directly or through groups. */
export interface SecretPolicy {
  name: string;
  description: string;
}

export interface SecretEntity {
  id: string;
  name: string;
  aliases: { name: string; mountType: 'ldap' | 'oidc' | 'approle' | 'kubernetes' }[];
  policies: string[];
  createdAt: Instant;
  disabled: boolean;
}

export interface SecretGroup {
  id: string;
  name: string;
  policies: string[];
  memberEntityIds: string[];
  /** Subgroups: their members hold this group's policies too. */
  memberGroupIds: string[];
  createdAt: Instant;
}

/** Privileged-access vault (CyberArk PAM): safes and their members. */
export interface Safe {
  name: string;
  number: number;
  description: string;
  createdAt: Instant;
}

export type SafePermissionSet = 'full' | 'use' | 'audit';

export interface SafeMember {
  safe: string;
  memberName: string;
  memberType: 'User' | 'Group';
  predefined: boolean;
  /** null: the membership never expires. */
  expiresAt: Instant | null;
  permissions: SafePermissionSet;
  addedAt: Instant;
}

export interface PamUser {
  id: number;
  userName: string;
  source: 'LDAP' | 'CyberArk';
  firstName: string;
  lastName: string;
  suspended: boolean;
  createdAt: Instant;
}

export interface AccessState {
  policies: SecretPolicy[];
  entities: SecretEntity[];
  groups: SecretGroup[];
  safes: Safe[];
  safeMembers: SafeMember[];
  pamUsers: PamUser[];
}

/** What a planted case is about: the subject of its control (interfaces.md "Subject refs"). */
export type PlantedSubject =
  | { type: 'deployment'; system?: 'gitlab'; service: string; project: string; deploymentId: number }
  | { type: 'deployment'; system: 'jenkins'; service: string; job: string; number: number }
  | { type: 'change'; service: string | null; number: string }
  | { type: 'merge_request'; service: string; project: string; iid: number }
  | { type: 'commit'; service: string; project: string; sha: string }
  | { type: 'entitlement'; system: 'vault' | 'cyberark'; holder: string; resource: string }
  | { type: 'service'; service: string };

/**
 * A planted case: a subject a control must flag (violation) or must not flag (near-miss), and how
 * that changes over time. `phases` are sorted; the last phase starting at or before an instant says
 * whether the subject is flagged then. The first phase starts when the case exists (before it, the
 * case is not listed).
 */
export interface PlantedCase {
  id: string;
  controlId: string;
  kind: 'violation' | 'near-miss';
  subject: PlantedSubject;
  phases: { from: Instant; flagged: boolean }[];
  note: string;
  /** An exception (accepted risk) in the config covers the finding until then: its status is `accepted`. */
  acceptedUntil?: Instant;
}

/** An accepted risk the generated config lists (interfaces.md `exceptions`), covering one planted case. */
export interface AcceptedRisk {
  caseId: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  /** `YYYY-MM-DD`: the exception covers through 23:59:59 UTC of that day. */
  expires: string;
}

/** Per-service generator state, so advancing the estate continues each history where it stopped. */
export interface ServiceCursor {
  nextPipelineIid: number;
  nextDeploymentIid: number;
  nextMrIid: number;
  headSha: string;
  version: [number, number, number];
  branchSeq: number;
  /** MR iids merged to the default branch and not yet shipped to each environment. */
  pendingMrs: Record<string, number[]>;
  lastEmergencyAt: Instant | null;
  /** A change freeze: no routine production release of the service starts in [from, until). */
  freeze?: { from: Instant; until: Instant };
  /** Routine emergency changes never happen for the service (its emergencies are planted). */
  noRoutineEmergencies?: boolean;
}

export interface GeneratorCursor {
  nextDeploymentId: number;
  nextJobId: number;
  nextPipelineId: number;
  nextMrId: number;
  nextChangeNumber: number;
  services: Record<string, ServiceCursor>;
  /** The next build number of each Jenkins job. */
  jenkinsNumbers: Record<string, number>;
}

export interface Estate {
  seed: number;
  scale: number;
  /** The `now` the estate was generated for. */
  generatedAt: Instant;
  /** The instant the estate currently stands at (moved by advanceEstate). */
  now: Instant;
  /** Records exist up to here; some may lie after `now` and stay hidden until the clock reaches them. */
  horizon: Instant;
  historyDays: number;
  /** Bumped on every advance, so fakes know to rebuild their indexes. */
  version: number;
  organization: { id: number; name: string; path: string; domain: string };
  people: Person[];
  groups: PeopleGroup[];
  services: Service[];
  environments: Environment[];
  commits: Commit[];
  mergeRequests: MergeRequest[];
  pipelines: Pipeline[];
  deployments: Deployment[];
  changes: Change[];
  changeApprovals: ChangeApproval[];
  configItems: ConfigItem[];
  ciJobs: CiJob[];
  ciBuilds: CiBuild[];
  analyses: QualityAnalysis[];
  access: AccessState;
  /** People in the break-glass role by name (besides the SRE group), as the generated config lists them. */
  breakGlassUsers: string[];
  planted: PlantedCase[];
  exceptions: AcceptedRisk[];
  cursor: GeneratorCursor;
}
