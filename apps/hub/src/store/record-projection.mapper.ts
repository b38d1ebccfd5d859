import type { RecordKind, Tier } from '@audit-hub/domain';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { BuildEntity } from './entities/build.entity';
import { ChangeApprovalEntity } from './entities/change-approval.entity';
import { ChangeRequestEntity } from './entities/change-request.entity';
import { CommitEntity } from './entities/commit.entity';
import { ConfigItemEntity } from './entities/config-item.entity';
import { DeploymentMrEntity } from './entities/deployment-mr.entity';
import { DeploymentEntity } from './entities/deployment.entity';
import { EntitlementEntity } from './entities/entitlement.entity';
import { GroupMembershipEntity } from './entities/group-membership.entity';
import { IdentityEntity } from './entities/identity.entity';
import { MergeRequestEntity } from './entities/merge-request.entity';
import { QualityGateEntity } from './entities/quality-gate.entity';
import { normalizeInstant } from './instant';
import { StoreError } from './store.error';

/** What a projection needs to know beyond the record: config decisions made at ingest. */
export interface ProjectionContext {
  connector: string;
  isProduction(environment: string, tier: string | null): boolean;
  serviceOf(kind: RecordKind, data: unknown): string | undefined;
  /**
   * Whether an entitlement's resource (Vault policy, CyberArk safe) is production: the
   * connector's plugin's `production.*` globs. Absent (other plugins): never production.
   */
  isProductionResource?(resource: string): boolean;
}

/** A projection row before its `record_id` is known (the record version is written first). */
export type ProjectionRow = ObjectLiteral;

export interface Projection {
  kind: RecordKind;
  entity: EntityTarget<ObjectLiteral>;
  table: string;
  /** The key column besides `connector`, holding the record's external id, and its property. */
  keyColumn: 'external_id' | 'number';
  keyProperty: 'externalId' | 'number';
  toRow(fields: RecordFields, ctx: ProjectionContext): ProjectionRow;
}

/**
 * Reads a record's fields for its projection row, and refuses a record the projection cannot hold
 * with an error naming the connector, kind, external id and field, before anything is written.
 * Time fields are normalized to the stored instant form so SQL compares them as strings.
 */
export class RecordFields {
  constructor(
    readonly connector: string,
    readonly kind: RecordKind,
    readonly externalId: string,
    readonly data: Record<string, unknown>,
  ) {}

  string(field: string): string {
    const value = this.optString(field);
    if (value === null) throw this.invalid(field, 'a string');
    return value;
  }

  optString(field: string): string | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw this.invalid(field, 'a string');
  }

  instant(field: string): string {
    const value = this.optInstant(field);
    if (value === null) throw this.invalid(field, 'an ISO-8601 instant');
    return value;
  }

  optInstant(field: string): string | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    const instant = typeof value === 'string' ? normalizeInstant(value) : undefined;
    if (instant === undefined) throw this.invalid(field, 'an ISO-8601 instant');
    return instant;
  }

  bool(field: string): boolean {
    const value = this.data[field];
    if (typeof value !== 'boolean') throw this.invalid(field, 'a boolean');
    return value;
  }

  int(field: string): number {
    const value = this.optInt(field);
    if (value === null) throw this.invalid(field, 'an integer');
    return value;
  }

  optInt(field: string): number | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.invalid(field, 'an integer');
    return value;
  }

  /** A list of strings; `[]` when absent or null. */
  stringList(field: string): string[] {
    const value = this.data[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.invalid(field, 'a list of strings');
    }
    return value as string[];
  }

  /** A JSON value; `fallback` when absent or null. */
  json<T>(field: string, fallback: T): T {
    const value = this.data[field];
    return value === undefined || value === null ? fallback : (value as T);
  }

  invalid(field: string, expected: string): StoreError {
    const value = this.data[field];
    const got = value === undefined ? 'missing' : value === null ? 'null' : `a ${typeof value}`;
    return new StoreError(
      'invalid_record',
      `${this.connector}: ${this.kind} "${this.externalId}": ${field} must be ${expected} (got ${got})`,
    );
  }
}

const deployment: Projection = {
  kind: 'deployment',
  entity: DeploymentEntity,
  table: 'deployment',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow(f, ctx) {
    const environment = f.string('environment');
    const tier = f.optString('tier') as Tier | null;
    return {
      project: f.string('project'),
      service: f.optString('service') ?? ctx.serviceOf('deployment', f.data) ?? null,
      environment,
      tier,
      isProduction: ctx.isProduction(environment, tier),
      status: f.string('status'),
      startedAt: f.instant('startedAt'),
      finishedAt: f.optInstant('finishedAt'),
      commitSha: f.string('commitSha'),
      commitMessage: f.optString('commitMessage'),
      ref: f.string('ref'),
      isTag: f.bool('isTag'),
      version: f.optString('version'),
      triggeredBy: f.optString('triggeredBy'),
      viaPipeline: f.bool('viaPipeline'),
      pipelineId: f.optString('pipelineId'),
      pipelineSource: f.optString('pipelineSource'),
      jobName: f.optString('jobName'),
      variables: f.json('variables', {}),
      // `variables: null`: the upstream would not let us read them (records.md "unreadable fields").
      unreadFields: f.data.variables === null ? ['variables'] : null,
      approvals: f.json('approvals', null),
      testReport: f.json('testReport', null),
      artifacts: f.json('artifacts', []),
      causes: f.json('causes', null),
    };
  },
};

const change: Projection = {
  kind: 'change',
  entity: ChangeRequestEntity,
  table: 'change_request',
  keyColumn: 'number',
  keyProperty: 'number',
  toRow(f) {
    const ci = f.json<{ sysId?: string; name?: string } | null>('ci', null);
    return {
      sysId: f.string('sysId'),
      type: f.string('type'),
      state: f.string('state'),
      approval: f.string('approval'),
      approvalSetAt: f.optInstant('approvalSetAt'),
      plannedStart: f.optInstant('plannedStart'),
      plannedEnd: f.optInstant('plannedEnd'),
      requestedBy: f.optString('requestedBy'),
      assignedTo: f.optString('assignedTo'),
      ciSysId: ci?.sysId ?? null,
      ciName: ci?.name ?? null,
      closedAt: f.optInstant('closedAt'),
      closeCode: f.optString('closeCode'),
      shortDescription: f.optString('shortDescription') ?? '',
      description: f.optString('description') ?? '',
    };
  },
};

const changeApproval: Projection = {
  kind: 'change-approval',
  entity: ChangeApprovalEntity,
  table: 'change_approval',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f) => ({
    changeNumber: f.string('change'),
    approver: f.string('approver'),
    state: f.string('state'),
    decidedAt: f.optInstant('decidedAt'),
  }),
};

const mergeRequest: Projection = {
  kind: 'merge-request',
  entity: MergeRequestEntity,
  table: 'merge_request',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f, ctx) => ({
    project: f.string('project'),
    service: ctx.serviceOf('merge-request', f.data) ?? null,
    iid: f.int('iid'),
    title: f.optString('title') ?? '',
    description: f.optString('description') ?? '',
    author: f.string('author'),
    mergedBy: f.optString('mergedBy'),
    mergedAt: f.optInstant('mergedAt'),
    mergeCommitSha: f.optString('mergeCommitSha'),
    squashCommitSha: f.optString('squashCommitSha'),
    targetBranch: f.string('targetBranch'),
    approvedBy: f.json('approvedBy', null),
    approvalsRequired: f.optInt('approvalsRequired'),
    approvalsLeft: f.optInt('approvalsLeft'),
    commitShas: f.json('commitShas', []),
  }),
};

const deploymentMr: Projection = {
  kind: 'deployment-mr',
  entity: DeploymentMrEntity,
  table: 'deployment_mr',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f, ctx) => ({
    deploymentId: f.string('deployment'),
    mergeRequestId: f.string('mergeRequest'),
    deploymentConnector: f.optString('deploymentConnector') ?? ctx.connector,
  }),
};

const commit: Projection = {
  kind: 'commit',
  entity: CommitEntity,
  table: 'git_commit',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f) => ({
    project: f.string('project'),
    sha: f.string('sha'),
    title: f.optString('title') ?? '',
    message: f.optString('message') ?? '',
    authorName: f.string('authorName'),
    authorEmail: f.string('authorEmail'),
    committedAt: f.instant('committedAt'),
    signature: f.string('signature'),
  }),
};

const identity: Projection = {
  kind: 'identity',
  entity: IdentityEntity,
  table: 'identity',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f) => ({
    userName: f.string('userName'),
    email: f.optString('email'),
    name: f.optString('name') ?? f.string('userName'),
    active: f.bool('active'),
  }),
};

const entitlement: Projection = {
  kind: 'entitlement',
  entity: EntitlementEntity,
  table: 'entitlement',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow(f, ctx) {
    const resource = f.string('resource');
    return {
      holder: f.string('holder'),
      holderAliases: f.stringList('holderAliases'),
      resource,
      via: f.optString('via'),
      permissions: f.json('permissions', null),
      expiresAt: f.optInstant('expiresAt'),
      holderType: f.string('holderType'),
      isProduction: ctx.isProductionResource?.(resource) ?? false,
    };
  },
};

const groupMembership: Projection = {
  kind: 'group-membership',
  entity: GroupMembershipEntity,
  table: 'group_membership',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f, ctx) => ({
    grp: f.string('group'),
    member: f.string('member'),
    source: f.optString('source') ?? ctx.connector,
  }),
};

const configItem: Projection = {
  kind: 'config-item',
  entity: ConfigItemEntity,
  table: 'config_item',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow(f, ctx) {
    const name = f.string('name');
    return {
      name,
      class: f.string('class'),
      version: f.optString('version'),
      environment: f.optString('environment'),
      installStatus: f.string('installStatus'),
      criticality: f.optInt('criticality'),
      ownerGroup: f.optString('ownerGroup'),
      // An item matches a service by name (interfaces.md, `services[].keys.cmdb`); unlisted names
      // follow the naming defaults, which are lower-cased.
      service: ctx.serviceOf('config-item', f.data) ?? name.toLowerCase(),
    };
  },
};

const qualityGate: Projection = {
  kind: 'quality-gate',
  entity: QualityGateEntity,
  table: 'quality_gate',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow: (f, ctx) => ({
    projectKey: f.string('projectKey'),
    service: ctx.serviceOf('quality-gate', f.data) ?? null,
    revision: f.optString('revision'),
    analysedAt: f.instant('analysedAt'),
    status: f.string('status'),
    conditions: f.json('conditions', null),
  }),
};

const build: Projection = {
  kind: 'build',
  entity: BuildEntity,
  table: 'build',
  keyColumn: 'external_id',
  keyProperty: 'externalId',
  toRow(f, ctx) {
    const startedAt = f.instant('startedAt');
    const durationMs = f.int('durationMs');
    if (durationMs < 0) throw f.invalid('durationMs', 'a duration of at least 0 ms');
    return {
      job: f.string('job'),
      number: f.int('number'),
      result: f.string('result'),
      startedAt,
      durationMs,
      finishedAt: new Date(Date.parse(startedAt) + durationMs).toISOString(),
      commitSha: f.optString('commitSha'),
      parameters: f.json('parameters', {}),
      causes: f.json('causes', []),
      artifacts: f.json('artifacts', []),
      testReport: f.json('testReport', null),
      service: ctx.serviceOf('build', f.data) ?? null,
    };
  },
};

/** The record kinds controls query through a projection table, and how. */
export const PROJECTIONS: Partial<Record<RecordKind, Projection>> = {
  deployment,
  change,
  'change-approval': changeApproval,
  'merge-request': mergeRequest,
  'deployment-mr': deploymentMr,
  commit,
  identity,
  entitlement,
  'group-membership': groupMembership,
  'config-item': configItem,
  'quality-gate': qualityGate,
  build,
};
