import type { NormalizedRecord } from '@audit-hub/domain';
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { sqlQuery } from '../common/sql';
import { defaultConfig, type AppConfig, type ConnectorConfig } from '../config/config.schema';
import { EnvironmentClassifier } from '../linking/environment.classifier';
import { ServiceResolver } from '../linking/service.resolver';
import { RecordStore } from '../store/record.store';
import { DerivedModelService } from './derived-model.service';
import { ProductionResourceClassifier } from './production-resource.classifier';

const NOW = new Date('2024-05-01T12:00:00.000Z');

const connector = (id: string, plugin: string): ConnectorConfig => ({
  id,
  plugin,
  baseUrl: `https://${id}.example.com`,
  enabled: true,
  auth: {},
  options: {},
  http: {},
});

function appConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...defaultConfig(),
    connectors: [
      connector('servicenow', 'servicenow'),
      connector('hr', 'servicenow'),
      connector('gitlab', 'gitlab'),
      connector('jenkins', 'jenkins'),
      connector('vault', 'vault'),
      connector('cyberark', 'cyberark'),
      connector('cmdb', 'cmdb'),
      connector('sonar', 'sonarqube'),
    ],
    services: [
      {
        name: 'payments-api',
        criticality: 'high',
        team: 'payments',
        personalData: true,
        keys: { gitlab: 'acme/payments-api', sonar: 'acme_payments-api', cmdb: 'PAY-API' },
      },
    ],
    identities: {
      sources: ['servicenow'],
      aliases: { 'jane.doe@acme.com': ['jdoe', 'jane'] },
      serviceAccountPattern: '^svc[-_]',
    },
    roles: {
      developer: { groups: ['servicenow:developers', 'vault:prod-admins'], users: [] },
      'break-glass': { groups: [], users: ['oncall-sre', 'Bob'] },
    },
    production: { vaultPolicies: ['*prod*'], cyberarkSafes: ['PROD-*'] },
    ...overrides,
  };
}

const identity = (userName: string, email: string | null, active = true): NormalizedRecord<'identity'> => ({
  kind: 'identity',
  externalId: userName,
  data: { userName, ...(email ? { email } : {}), name: `Name of ${userName}`, active },
});

const membership = (group: string, member: string, source: string): NormalizedRecord<'group-membership'> => ({
  kind: 'group-membership',
  externalId: `${group}/${member}`,
  data: { group, member, source },
});

const entitlement = (
  holder: string,
  resource: string,
  extra: Partial<NormalizedRecord<'entitlement'>['data']> = {},
): NormalizedRecord<'entitlement'> => ({
  kind: 'entitlement',
  externalId: `${holder}:${resource}`,
  data: { holder, holderAliases: [], resource, holderType: 'user', ...extra },
});

const mergeRequest = (
  project: string,
  iid: number,
  author: string,
  approvedBy: string[],
): NormalizedRecord<'merge-request'> => ({
  kind: 'merge-request',
  externalId: `${project}!${iid}`,
  data: {
    project,
    iid,
    title: `MR ${iid}`,
    description: '',
    author,
    targetBranch: 'main',
    approvedBy,
    commitShas: [],
  },
});

const deployment = (id: string, project: string, triggeredBy: string): NormalizedRecord<'deployment'> => ({
  kind: 'deployment',
  externalId: id,
  data: {
    project,
    environment: 'production',
    tier: 'production',
    status: 'success',
    startedAt: '2024-04-30T10:00:00Z',
    commitSha: 'a'.repeat(40),
    ref: 'main',
    isTag: false,
    triggeredBy,
    viaPipeline: true,
    variables: {},
    approvals: [{ user: 'Approver.Only', status: 'approved' }],
    artifacts: [],
  },
});

const configItem = (
  sysId: string,
  name: string,
  criticality: number | undefined,
  installStatus: 'installed' | 'retired' = 'installed',
): NormalizedRecord<'config-item'> => ({
  kind: 'config-item',
  externalId: sysId,
  data: {
    name,
    class: 'cmdb_ci_appl',
    version: '1.2.0',
    environment: 'Production',
    installStatus,
    ...(criticality !== undefined ? { criticality } : {}),
    ownerGroup: 'Payments Ops',
  },
});

describe.each(DB_KINDS)('DerivedModelService on %s', (kind) => {
  let ds: DataSource;
  let store: RecordStore;
  const config = appConfig();

  /** Ingests as the collect handler does: production and service decided by the connector's plugin. */
  async function ingest(connectorId: string, records: NormalizedRecord[]) {
    const plugin = config.connectors.find((c) => c.id === connectorId)!.plugin;
    const environments = new EnvironmentClassifier(config.environments.production);
    const services = new ServiceResolver(config.services);
    const isProductionResource = new ProductionResourceClassifier(config.production).forPlugin(plugin);
    await store.ingest(records, {
      connector: connectorId,
      runId: 'run-1',
      now: NOW,
      isProduction: (environment, tier) => environments.isProduction(environment, tier),
      serviceOf: (k, data) => services.serviceOf({ id: connectorId, plugin }, k, data),
      ...(isProductionResource ? { isProductionResource } : {}),
    });
  }

  const person = async (name: string) =>
    (
      await sqlQuery<Record<string, unknown>>(
        ds,
        `SELECT p.person_key, p.known, p.active, p.service_account, p.source_connector
         FROM person_name pn JOIN person p ON p.person_key = pn.person_key
         WHERE pn.name_lower = LOWER(:name)`,
        { name },
      )
    ).map((row) => ({
      personKey: row.person_key,
      known: Boolean(row.known),
      active: Boolean(row.active),
      serviceAccount: Boolean(row.service_account),
      sourceConnector: row.source_connector,
    }))[0];

  beforeAll(async () => {
    ds = await testDataSource(kind);
    store = new RecordStore(ds);
    await ingest('servicenow', [
      identity('pat', 'pat@acme.com'),
      identity('pat@acme.com', 'patrick@acme.com'),
      identity('jane.doe', 'Jane.Doe@acme.com'),
      identity('bob', 'bob@acme.com'),
      identity('carol', 'carol@acme.com'),
      identity('leaver', 'leaver@acme.com', false),
      identity('svc-deploy', null),
      membership('Developers', 'bob', 'servicenow'),
      membership('Developers', 'leaver', 'servicenow'),
      membership('Testers', 'pat', 'servicenow'),
    ]);
    await ingest('hr', [identity('dave', 'dave@acme.com')]);
    await ingest('gitlab', [
      mergeRequest('acme/payments-api', 1, 'BOB', ['jdoe', 'ghost']),
      mergeRequest('acme/ledger', 2, 'dave', ['svc_ci']),
      deployment('101', 'acme/payments-api', 'jane'),
      deployment('102', 'acme/ledger', 'bob'),
      deployment('103', 'acme/catalog', 'bob'),
      deployment('104', 'acme/web', 'bob'),
    ]);
    await ingest('vault', [
      entitlement('entity-7f3a', 'payments-prod-ro', { holderAliases: ['carol'], via: 'prod-admins' }),
      entitlement('entity-7f3a', 'dev-read', { holderAliases: ['carol'] }),
      entitlement('entity-0000', 'dev-read', { holderAliases: ['nobody-known'] }),
      membership('prod-admins', 'entity-7f3a', 'vault'),
    ]);
    await ingest('cyberark', [
      entitlement('Master', 'PROD-Payments', { holderType: 'predefined' }),
      entitlement('leaver', 'Dev-Tools', { expiresAt: '2024-06-01T00:00:00Z', permissions: ['useAccounts'] }),
    ]);
    await ingest('cmdb', [
      configItem('ci-pay', 'PAY-API', 4),
      configItem('ci-ledger', 'Ledger', 2),
      configItem('ci-cat', 'catalog', 3),
      configItem('ci-cat-old', 'catalog', 1, 'retired'),
    ]);
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
  });

  describe('after a rebuild', () => {
    let counts: { persons: number; roles: number; services: number };

    beforeAll(async () => {
      counts = await new DerivedModelService(config, ds).rebuild();
    });

    it('resolves by e-mail before user name', async () => {
      expect(await person('pat@acme.com')).toMatchObject({ personKey: 'pat@acme.com', known: true });
      expect(await person('patrick@acme.com')).toMatchObject({ personKey: 'patrick@acme.com', known: true });
    });

    it('maps identities.aliases names to the person of the e-mail', async () => {
      expect(await person('jdoe')).toMatchObject({
        personKey: 'jane.doe@acme.com',
        known: true,
        active: true,
      });
      expect(await person('jane')).toMatchObject({ personKey: 'jane.doe@acme.com' });
    });

    it('resolves a GitLab username equal to a ServiceNow user_name to that person, whatever its case', async () => {
      expect(await person('BOB')).toEqual({
        personKey: 'bob@acme.com',
        known: true,
        active: true,
        serviceAccount: false,
        sourceConnector: 'servicenow',
      });
    });

    it('resolves a Vault entity through an alias name', async () => {
      expect(await person('entity-7f3a')).toMatchObject({ personKey: 'carol@acme.com', known: true });
    });

    it('makes a name known only to GitLab an unknown person keyed by that name', async () => {
      expect(await person('ghost')).toEqual({
        personKey: 'ghost',
        known: false,
        active: false,
        serviceAccount: false,
        sourceConnector: null,
      });
      expect(await person('nobody-known')).toMatchObject({ personKey: 'entity-0000', known: false });
    });

    it('knows an inactive ServiceNow user without making them active', async () => {
      expect(await person('leaver')).toMatchObject({
        personKey: 'leaver@acme.com',
        known: true,
        active: false,
      });
    });

    it('lets only the connectors in identities.sources make a person known', async () => {
      expect(await person('dave')).toMatchObject({ personKey: 'dave', known: false, active: false });
      expect(await person('dave@acme.com')).toMatchObject({ personKey: 'dave@acme.com', known: false });
    });

    it('flags service accounts by pattern and CyberArk predefined members', async () => {
      expect(await person('svc-deploy')).toMatchObject({ known: true, serviceAccount: true });
      expect(await person('svc_ci')).toMatchObject({ known: false, serviceAccount: true });
      expect(await person('Master')).toMatchObject({ personKey: 'master', serviceAccount: true });
      expect(await person('bob')).toMatchObject({ serviceAccount: false });
    });

    it('resolves every user name of the store, including names inside JSON lists', async () => {
      const unresolved = await sqlQuery(
        ds,
        `SELECT x.name FROM (
           SELECT author AS name FROM merge_request
           UNION SELECT triggered_by FROM deployment
           UNION SELECT holder FROM entitlement
           UNION SELECT member FROM group_membership
           UNION SELECT user_name FROM identity
         ) x LEFT JOIN person_name pn ON pn.name_lower = LOWER(x.name)
         WHERE pn.person_key IS NULL`,
      );
      expect(unresolved).toEqual([]);
      expect(await person('approver.only')).toMatchObject({ personKey: 'approver.only', known: false });
      const orphans = await sqlQuery(
        ds,
        'SELECT pn.name_lower FROM person_name pn LEFT JOIN person p ON p.person_key = pn.person_key WHERE p.person_key IS NULL',
      );
      expect(orphans).toEqual([]);
    });

    it('derives role members through groups (case-insensitive group names) and through users', async () => {
      const rows = await sqlQuery(
        ds,
        'SELECT role, person_key, via FROM role_member ORDER BY role, person_key, via',
      );
      expect(rows).toEqual([
        { role: 'break-glass', person_key: 'bob@acme.com', via: 'users' },
        { role: 'break-glass', person_key: 'oncall-sre', via: 'users' },
        { role: 'developer', person_key: 'bob@acme.com', via: 'servicenow:developers' },
        { role: 'developer', person_key: 'carol@acme.com', via: 'vault:prod-admins' },
        { role: 'developer', person_key: 'leaver@acme.com', via: 'servicenow:developers' },
      ]);
      expect(await person('oncall-sre')).toMatchObject({ known: false });
    });

    it('knows every catalog and deployed service, high-impact by config or by CMDB criticality', async () => {
      const rows = await sqlQuery<Record<string, unknown>>(
        ds,
        `SELECT name, team, criticality, cmdb_criticality, high_impact, personal_data, cmdb_item,
                gitlab_key, jenkins_key, sonarqube_key, cmdb_key
         FROM service_info ORDER BY name`,
      );
      const normalized = rows.map((r) => ({
        ...r,
        high_impact: Boolean(r.high_impact),
        personal_data: Boolean(r.personal_data),
      }));
      expect(normalized).toEqual([
        {
          name: 'catalog',
          team: null,
          criticality: null,
          cmdb_criticality: 1,
          high_impact: true,
          personal_data: false,
          cmdb_item: 'ci-cat',
          gitlab_key: 'acme/catalog',
          jenkins_key: null,
          sonarqube_key: null,
          cmdb_key: 'catalog',
        },
        {
          name: 'ledger',
          team: null,
          criticality: null,
          cmdb_criticality: 2,
          high_impact: true,
          personal_data: false,
          cmdb_item: 'ci-ledger',
          gitlab_key: 'acme/ledger',
          jenkins_key: null,
          sonarqube_key: null,
          cmdb_key: 'Ledger',
        },
        {
          name: 'payments-api',
          team: 'payments',
          criticality: 'high',
          cmdb_criticality: 4,
          high_impact: true,
          personal_data: true,
          cmdb_item: 'ci-pay',
          gitlab_key: 'acme/payments-api',
          jenkins_key: null,
          sonarqube_key: 'acme_payments-api',
          cmdb_key: 'PAY-API',
        },
        {
          name: 'web',
          team: null,
          criticality: null,
          cmdb_criticality: null,
          high_impact: false,
          personal_data: false,
          cmdb_item: null,
          gitlab_key: 'acme/web',
          jenkins_key: null,
          sonarqube_key: null,
          cmdb_key: null,
        },
      ]);
    });

    it("decides entitlement production at ingest from the plugin's globs", async () => {
      const rows = await sqlQuery<{ connector: string; resource: string; is_production: unknown }>(
        ds,
        'SELECT connector, resource, is_production FROM entitlement',
      );
      const decided = rows.map((r) => [r.connector, r.resource, Boolean(r.is_production)]);
      expect(decided.sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
        ['cyberark', 'Dev-Tools', false],
        ['cyberark', 'PROD-Payments', true],
        ['vault', 'dev-read', false],
        ['vault', 'dev-read', false],
        ['vault', 'payments-prod-ro', true],
      ]);
    });

    it('supports a control as one join: unexpired production access of a developer', async () => {
      const rows = await sqlQuery(
        ds,
        `SELECT e.connector, e.holder, e.resource, p.person_key
         FROM entitlement e
         JOIN person_name pn ON pn.name_lower = LOWER(e.holder)
         JOIN person p ON p.person_key = pn.person_key
         JOIN role_member rm ON rm.person_key = p.person_key AND rm.role = 'developer'
         WHERE e.is_production = TRUE AND e.deleted = FALSE AND p.service_account = FALSE
           AND (e.expires_at IS NULL OR e.expires_at > :now)
         ORDER BY e.connector, e.external_id`,
        { now: NOW.toISOString() },
      );
      expect(rows).toEqual([
        {
          connector: 'vault',
          holder: 'entity-7f3a',
          resource: 'payments-prod-ro',
          person_key: 'carol@acme.com',
        },
      ]);
    });

    it('is idempotent: a second rebuild writes the same rows', async () => {
      const dump = async () => ({
        person: await sqlQuery(ds, 'SELECT * FROM person ORDER BY person_key'),
        personName: await sqlQuery(ds, 'SELECT * FROM person_name ORDER BY name_lower'),
        roleMember: await sqlQuery(ds, 'SELECT * FROM role_member ORDER BY role, person_key, via'),
        serviceInfo: await sqlQuery(ds, 'SELECT * FROM service_info ORDER BY name'),
      });
      const before = await dump();
      expect(await new DerivedModelService(config, ds).rebuild()).toEqual(counts);
      expect(await dump()).toEqual(before);
      expect(counts).toEqual({ persons: before.person.length, roles: 5, services: 4 });
    });
  });

  it('follows identities.sources: with hr as a source, its users are known', async () => {
    const wider = appConfig({
      identities: { ...config.identities, sources: ['servicenow', 'hr'] },
    });
    await new DerivedModelService(wider, ds).rebuild();
    expect(await person('dave')).toMatchObject({ personKey: 'dave@acme.com', known: true, active: true });
    expect(await person('bob')).toMatchObject({ personKey: 'bob@acme.com', sourceConnector: 'servicenow' });
  });

  it("writes in the caller's transaction, and rolls back with it", async () => {
    const empty = appConfig({ identities: { ...config.identities, sources: [] } });
    await new DerivedModelService(config, ds).rebuild();
    await expect(
      ds.transaction(async (tx) => {
        await new DerivedModelService(empty, ds).rebuild(tx);
        expect((await sqlQuery(tx, 'SELECT person_key FROM person WHERE known = TRUE')).length).toBe(0);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await person('bob')).toMatchObject({ known: true });
  });
});
