/**
 * Normalized record kinds (shared/spec/records.md v1): what connectors produce and controls read.
 * Times are ISO-8601 UTC strings; the store adds connector, kind, externalId, hashes and history.
 */

export type Tier = 'production' | 'staging' | 'testing' | 'development' | 'other';
export type DeploymentStatus = 'success' | 'failed' | 'canceled' | 'running' | 'created';
export type CauseType = 'user' | 'upstream' | 'replay' | 'timer' | 'scm' | 'other';

export interface DeploymentApproval {
  user: string;
  status: 'approved' | 'rejected';
  at?: string;
  comment?: string;
}

export interface TestReportSummary {
  total: number;
  failed: number;
}

export interface DeploymentArtifact {
  fileName: string;
  digest: string;
  algorithm: 'md5' | 'sha256' | string;
  /** Jenkins: `<job fullName>#<number>` of the build that first fingerprinted the file. */
  originBuild?: string;
}

export interface DeploymentCause {
  type: CauseType;
  user?: string;
  upstream?: string;
  description?: string;
}

/**
 * Who may deploy to an environment and how many approvals a deployment to it needs, as the
 * upstream protects it (GitLab protected environments).
 */
export interface EnvironmentProtection {
  /** Whether the environment is protected at all (false: anyone who may run the job deploys). */
  protected: boolean;
  /** Who may deploy: a role (`maintainer`, …), or a user or group by upstream id. */
  deployAccess: { role?: string; userId?: number; groupId?: number; description?: string }[];
  /** Approvals a deployment needs (GitLab `required_approval_count`); absent when not given. */
  requiredApprovals?: number;
}

export interface DeploymentRecord {
  service?: string;
  project: string;
  environment: string;
  /** The upstream's tier; null when the upstream gives none (name patterns decide then). */
  tier: Tier | null;
  status: DeploymentStatus;
  startedAt: string;
  finishedAt?: string;
  commitSha: string;
  /** The deployed commit's message (used for linking), when the upstream returns it. */
  commitMessage?: string;
  ref: string;
  isTag: boolean;
  version?: string;
  triggeredBy?: string;
  viaPipeline: boolean;
  pipelineId?: string;
  pipelineSource?: string;
  jobName?: string;
  /**
   * Pipeline variables or build parameters; null when the upstream would not let us read them
   * (GitLab below the Maintainer role): controls then decide from the other link sources and leave
   * the deployment undecided where only the variables could have told.
   */
  variables: Record<string, string> | null;
  /** Deployment approvals; null when the upstream could not tell (e.g. a Premium endpoint on Free). */
  approvals: DeploymentApproval[] | null;
  testReport?: TestReportSummary | null;
  artifacts: DeploymentArtifact[];
  causes?: DeploymentCause[];
  /**
   * The environment's protection when the deployment was collected; null when the upstream would
   * not tell (a Premium endpoint on Free, or not readable by the token); absent where no upstream has it.
   */
  environmentProtection?: EnvironmentProtection | null;
}

export interface MergeRequestRecord {
  project: string;
  iid: number;
  title: string;
  description: string;
  author: string;
  mergedBy?: string;
  mergedAt?: string;
  mergeCommitSha?: string;
  squashCommitSha?: string;
  targetBranch: string;
  /** User names; null when approvals could not be read (Premium endpoint missing). */
  approvedBy: string[] | null;
  approvalsRequired?: number;
  approvalsLeft?: number;
  commitShas: string[];
}

export interface DeploymentMrRecord {
  /** The deployment's externalId. */
  deployment: string;
  /** The merge request's externalId (`<project path>!<iid>`). */
  mergeRequest: string;
  /**
   * The deployment's connector, when it is not the one this record (and the MR) was collected
   * from: a Jenkins deployment's MRs are read from the service's GitLab repository by the GitLab
   * connector. Omitted: the same connector.
   */
  deploymentConnector?: string;
}

export type SignatureStatus = 'verified' | 'verified_system' | 'unverified' | 'unsigned' | 'unknown';

export interface CommitRecord {
  project: string;
  sha: string;
  title: string;
  message: string;
  authorName: string;
  authorEmail: string;
  committedAt: string;
  signature: SignatureStatus;
}

export interface BuildRecord {
  job: string;
  number: number;
  result: string;
  startedAt: string;
  durationMs: number;
  commitSha?: string;
  parameters: Record<string, string>;
  causes: DeploymentCause[];
  artifacts: { fileName: string; md5: string }[];
  testReport?: TestReportSummary | null;
}

export type QualityGateStatus = 'OK' | 'WARN' | 'ERROR' | 'NONE';

export interface QualityGateRecord {
  projectKey: string;
  revision?: string;
  analysedAt: string;
  status: QualityGateStatus;
  conditions?: { metric: string; status: string; actual?: string; threshold?: string }[];
}

export type ChangeType = 'normal' | 'standard' | 'emergency';
export type ChangeState =
  'new' | 'assess' | 'authorize' | 'scheduled' | 'implement' | 'review' | 'closed' | 'canceled';
export type ChangeApprovalStatus = 'not_requested' | 'requested' | 'approved' | 'rejected';

export interface ChangeRecord {
  number: string;
  sysId: string;
  type: ChangeType;
  state: ChangeState;
  approval: ChangeApprovalStatus;
  approvalSetAt?: string;
  plannedStart?: string;
  plannedEnd?: string;
  requestedBy?: string;
  assignedTo?: string;
  ci?: { sysId: string; name?: string };
  closedAt?: string;
  closeCode?: string;
  shortDescription: string;
  description: string;
}

export interface ChangeApprovalRecord {
  change: string;
  approver: string;
  state: 'requested' | 'approved' | 'rejected' | 'cancelled' | 'not_required';
  decidedAt?: string;
}

export interface IdentityRecord {
  userName: string;
  email?: string;
  name: string;
  active: boolean;
}

export interface GroupMembershipRecord {
  group: string;
  member: string;
  source: string;
  /**
   * What the membership lets the member do, where the upstream grades it: GitLab's access level
   * name (`guest`, `planner`, `reporter`, `developer`, `maintainer`, `owner`, `minimal_access`).
   */
  accessLevel?: string;
}

export interface EntitlementRecord {
  holder: string;
  holderAliases: string[];
  resource: string;
  via?: string;
  permissions?: string[];
  expiresAt?: string;
  holderType: 'user' | 'group' | 'predefined' | 'service';
}

export interface ConfigItemRecord {
  name: string;
  class: string;
  version?: string;
  environment?: string;
  installStatus: 'installed' | 'retired' | 'other';
  criticality?: number;
  ownerGroup?: string;
}

/** Record kind → its fields. */
export interface RecordKinds {
  deployment: DeploymentRecord;
  'merge-request': MergeRequestRecord;
  'deployment-mr': DeploymentMrRecord;
  commit: CommitRecord;
  build: BuildRecord;
  'quality-gate': QualityGateRecord;
  change: ChangeRecord;
  'change-approval': ChangeApprovalRecord;
  identity: IdentityRecord;
  'group-membership': GroupMembershipRecord;
  entitlement: EntitlementRecord;
  'config-item': ConfigItemRecord;
}

export type RecordKind = keyof RecordKinds;

export const RECORD_KINDS: readonly RecordKind[] = [
  'deployment',
  'merge-request',
  'deployment-mr',
  'commit',
  'build',
  'quality-gate',
  'change',
  'change-approval',
  'identity',
  'group-membership',
  'entitlement',
  'config-item',
] as const;

/** What a plugin emits: one record of one kind, keyed by its natural external id. */
export type NormalizedRecord<K extends RecordKind = RecordKind> = K extends RecordKind
  ? {
      kind: K;
      externalId: string;
      data: RecordKinds[K];
      /** The upstream JSON the record was mapped from, secrets removed. */
      raw?: unknown;
    }
  : never;

export function isRecordKind(value: string): value is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(value);
}
