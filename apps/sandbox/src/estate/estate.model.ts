/**
 * The simulated enterprise, independent of any vendor. Each fake upstream (GitLab, ServiceNow, and
 * later Jenkins, SonarQube, Vault, CyberArk, CMDB, Jira) renders this one model in its own wire
 * shapes, so a planted violation exists once and every system tells a consistent story about it.
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
}

/**
 * A planted case: a subject a control must flag (violation) or must not flag (near-miss), and how
 * that changes over time. `phases` are sorted; the last phase starting at or before an instant says
 * whether the subject is flagged then.
 */
export interface PlantedCase {
  id: string;
  controlId: string;
  kind: 'violation' | 'near-miss';
  subject: { type: 'deployment'; service: string; project: string; deploymentId: number };
  phases: { from: Instant; flagged: boolean }[];
  note: string;
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
}

export interface GeneratorCursor {
  nextDeploymentId: number;
  nextJobId: number;
  nextPipelineId: number;
  nextMrId: number;
  nextChangeNumber: number;
  services: Record<string, ServiceCursor>;
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
  planted: PlantedCase[];
  cursor: GeneratorCursor;
}
