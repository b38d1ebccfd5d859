/**
 * Test fixtures for controls: normalized records built with sensible defaults, ingested through the
 * real RecordStore (production entitlements classified as collect.handler.ts does), linked by the
 * real LinkService, the derived model (persons, roles, services) rebuilt by the real
 * DerivedModelService, evaluated by the real control on SQLite or PostgreSQL. Tests state only the
 * facts that matter to the case.
 */
import type { DataSource } from 'typeorm';
import type {
  ChangeRecord,
  CommitRecord,
  ConfigItemRecord,
  DeploymentRecord,
  EntitlementRecord,
  GroupMembershipRecord,
  IdentityRecord,
  MergeRequestRecord,
  NormalizedRecord,
  ParamValue,
  QualityGateRecord,
  RecordKind,
} from '@audit-hub/domain';
import { externalIds } from '@audit-hub/domain';
import { dropTestDataSource, testDataSource, DbKind } from '../../../../../test/support/database';
import { RecordStore } from '../../store/record.store';
import { LinkService } from '../../linking/link.service';
import { EnvironmentClassifier } from '../../linking/environment.classifier';
import { ServiceResolver } from '../../linking/service.resolver';
import { DerivedModelService, ProductionResourceClassifier } from '../../identities';
import { defaultConfig, type AppConfig, type ConnectorConfig } from '../../config/config.schema';
import type { Control, ControlOutcome } from '../control';
import { outcomeOf } from '../control';

export const T0 = new Date('2026-11-02T14:00:00.000Z');
export const at = (minutes: number): string => new Date(T0.getTime() + minutes * 60_000).toISOString();
export const hours = (h: number): string => at(h * 60);

export function deployment(id: number | string, patch: Partial<DeploymentRecord> = {}): NormalizedRecord {
  return {
    kind: 'deployment',
    externalId: String(id),
    data: {
      project: 'acme/pay',
      environment: 'production',
      tier: 'production',
      status: 'success',
      startedAt: at(0),
      finishedAt: at(5),
      commitSha: `c0ffee${String(id).padStart(34, '0')}`,
      commitMessage: 'Routine change',
      ref: 'main',
      isTag: false,
      viaPipeline: true,
      pipelineId: '500',
      variables: {},
      approvals: [],
      testReport: { total: 10, failed: 0 },
      artifacts: [],
      ...patch,
    },
  };
}

export function change(number: string, patch: Partial<ChangeRecord> = {}): NormalizedRecord {
  return {
    kind: 'change',
    externalId: number,
    data: {
      number,
      sysId: `sys-${number}`,
      type: 'normal',
      state: 'implement',
      approval: 'approved',
      approvalSetAt: at(-60),
      plannedStart: at(-30),
      plannedEnd: at(120),
      shortDescription: 'Release',
      description: '',
      ...patch,
    },
  };
}

export function mergeRequest(
  project: string,
  iid: number,
  patch: Partial<MergeRequestRecord> = {},
): NormalizedRecord {
  return {
    kind: 'merge-request',
    externalId: externalIds.mergeRequest(project, iid),
    data: {
      project,
      iid,
      title: `Change ${iid}`,
      description: '',
      author: 'dev.one',
      mergedBy: 'dev.two',
      mergedAt: at(-120),
      mergeCommitSha: `m${String(iid).padStart(39, '0')}`,
      targetBranch: 'main',
      approvedBy: ['dev.two'],
      approvalsRequired: 1,
      approvalsLeft: 0,
      commitShas: [],
      ...patch,
    },
  };
}

/** MR !iid shipped with a deployment; `deploymentConnector` when the deployment is another connector's (Jenkins). */
export function shipped(
  deploymentId: string | number,
  project: string,
  iid: number,
  deploymentConnector?: string,
): NormalizedRecord {
  const mr = externalIds.mergeRequest(project, iid);
  return {
    kind: 'deployment-mr',
    externalId: externalIds.deploymentMr(String(deploymentId), mr),
    data: {
      deployment: String(deploymentId),
      mergeRequest: mr,
      ...(deploymentConnector ? { deploymentConnector } : {}),
    },
  };
}

export function commit(project: string, sha: string, patch: Partial<CommitRecord> = {}): NormalizedRecord {
  return {
    kind: 'commit',
    externalId: externalIds.commit(project, sha),
    data: {
      project,
      sha,
      title: 'A commit',
      message: 'A commit',
      authorName: 'Dev One',
      authorEmail: 'dev.one@acme.com',
      committedAt: at(-200),
      signature: 'verified',
      ...patch,
    },
  };
}

/** A user of an identity source (ServiceNow `sys_user`); external id: the user name. */
export function identity(userName: string, patch: Partial<IdentityRecord> = {}): NormalizedRecord {
  return {
    kind: 'identity',
    externalId: userName,
    data: { userName, email: `${userName}@acme.com`, name: `Name of ${userName}`, active: true, ...patch },
  };
}

/** A direct member of an upstream group. */
export function groupMembership(
  group: string,
  member: string,
  patch: Partial<GroupMembershipRecord> = {},
): NormalizedRecord {
  return {
    kind: 'group-membership',
    externalId: externalIds.groupMembership(group, member),
    data: { group, member, source: 'servicenow', ...patch },
  };
}

/** A Vault (entity, policy) or CyberArk (member, safe) pair; no expiry unless given. */
export function entitlement(
  holder: string,
  resource: string,
  patch: Partial<EntitlementRecord> = {},
): NormalizedRecord {
  return {
    kind: 'entitlement',
    externalId: externalIds.entitlement(holder, resource),
    data: { holder, holderAliases: [], resource, holderType: 'user', ...patch },
  };
}

/** A CMDB item (external id: its `sys_id`), installed and used for Production unless given. */
export function configItem(
  sysId: string,
  name: string,
  patch: Partial<ConfigItemRecord> = {},
): NormalizedRecord {
  return {
    kind: 'config-item',
    externalId: sysId,
    data: {
      name,
      class: 'cmdb_ci_appl',
      version: '1.0.0',
      environment: 'Production',
      installStatus: 'installed',
      ...patch,
    },
  };
}

/** A SonarQube analysis (external id: the analysis key) with a passing gate unless given. */
export function qualityGate(
  analysisKey: string,
  projectKey: string,
  revision: string,
  patch: Partial<QualityGateRecord> = {},
): NormalizedRecord {
  return {
    kind: 'quality-gate',
    externalId: analysisKey,
    data: { projectKey, revision, analysedAt: at(-30), status: 'OK', ...patch },
  };
}

/** A `connectors` entry, so that the harness knows a connector's plugin (production globs, labels). */
export function connectorConfig(id: string, plugin: string = id): ConnectorConfig {
  return {
    id,
    plugin,
    baseUrl: `https://${id}.example.com`,
    enabled: true,
    auth: {},
    options: {},
    http: {},
  };
}

export class ControlHarness {
  private run = 0;
  readonly store: RecordStore;
  readonly links: LinkService;
  readonly derivedModel: DerivedModelService;
  private readonly env = new EnvironmentClassifier(['prod*', 'production*', 'live']);
  private readonly services: ServiceResolver;
  private readonly productionResources: ProductionResourceClassifier;

  private constructor(
    readonly ds: DataSource,
    readonly config: AppConfig,
  ) {
    this.store = new RecordStore(ds);
    this.links = new LinkService(config, ds);
    this.derivedModel = new DerivedModelService(config, ds);
    this.services = new ServiceResolver(config.services);
    this.productionResources = new ProductionResourceClassifier(config.production);
  }

  static async create(kind: DbKind, config: Partial<AppConfig> = {}): Promise<ControlHarness> {
    return new ControlHarness(await testDataSource(kind), { ...defaultConfig(), ...config });
  }

  /**
   * Stores records as `connector` collected them. The connector's plugin is its `connectors` entry's,
   * else the connector id itself (`vault`, `cyberark`, `cmdb`, `sonarqube`).
   */
  async ingest(connector: string, records: NormalizedRecord[]): Promise<void> {
    const plugin = this.config.connectors.find((c) => c.id === connector)?.plugin ?? connector;
    const isProductionResource = this.productionResources.forPlugin(plugin);
    await this.store.ingest(records, {
      ...(isProductionResource ? { isProductionResource } : {}),
      connector,
      runId: `run-${++this.run}`,
      now: T0,
      isProduction: (e, t) => this.env.isProduction(e, t),
      serviceOf: (kind: RecordKind, data: any) =>
        data?.project
          ? String(data.project).split('/').pop()
          : this.services.serviceOf({ id: connector, plugin }, kind, data),
    });
  }

  /**
   * As a run's evaluation does: rebuilds the derived model (persons, roles, services) from the
   * store and the harness's config, links every deployment, then evaluates the control with its
   * default params (overridable).
   */
  async evaluate(
    control: Control,
    params: Record<string, ParamValue> = {},
    now: Date = T0,
  ): Promise<ControlOutcome> {
    await this.derivedModel.rebuild();
    await this.links.relink('any', true);
    return outcomeOf(
      await control.evaluate({
        db: this.ds,
        runId: `eval-${this.run}`,
        now,
        params: { ...control.definition.params, ...params },
        config: this.config,
      }),
    );
  }

  async close(): Promise<void> {
    await dropTestDataSource(this.ds);
  }
}

/** The subject refs an outcome flags, sorted. */
export function flagged(outcome: ControlOutcome): string[] {
  return outcome.flags.map((f) => f.subjectRef).sort();
}
