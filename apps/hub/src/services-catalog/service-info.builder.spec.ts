import type { AppConfig, ConnectorConfig } from '../config/config.schema';
import { buildServiceInfo, type ServiceConfigItem } from './service-info.builder';

const connector = (id: string, plugin: string): ConnectorConfig => ({
  id,
  plugin,
  baseUrl: `https://${id}.example.com`,
  enabled: true,
  auth: {},
  options: {},
  http: {},
});

const config: Pick<AppConfig, 'services' | 'connectors'> = {
  connectors: [
    connector('gitlab', 'gitlab'),
    connector('jenkins-eu', 'jenkins'),
    connector('sonar', 'sonarqube'),
    connector('cmdb', 'cmdb'),
  ],
  services: [
    {
      name: 'payments-api',
      criticality: 'high',
      team: 'payments',
      personalData: true,
      keys: { gitlab: 'acme/payments-api', 'jenkins-eu': 'payments/payments-api-deploy', cmdb: 'PAY-API' },
    },
    { name: 'quiet', criticality: 'low', personalData: false, keys: {} },
  ],
};

const item = (overrides: Partial<ServiceConfigItem>): ServiceConfigItem => ({
  sysId: 'ci-1',
  name: 'ledger',
  environment: 'Production',
  installStatus: 'installed',
  criticality: null,
  service: 'ledger',
  ...overrides,
});

describe('buildServiceInfo', () => {
  const rows = buildServiceInfo(config, {
    deployed: ['payments-api', 'ledger', 'web'],
    projects: [
      { service: 'ledger', connector: 'gitlab', project: 'acme/ledger', count: 3 },
      { service: 'ledger', connector: 'gitlab', project: 'acme/ledger-old', count: 2 },
      { service: 'ledger', connector: 'gitlab', project: 'acme/ledger-old', count: 2 },
      { service: 'ledger', connector: 'sonar', project: 'ledger', count: 1 },
      { service: 'web', connector: 'jenkins-eu', project: 'shop/web-deploy', count: 1 },
      { service: 'web', connector: 'unknown-connector', project: 'x', count: 9 },
    ],
    configItems: [
      item({ sysId: 'ci-9', installStatus: 'retired', criticality: 1 }),
      item({ sysId: 'ci-2', environment: 'Test', criticality: 3 }),
      item({ sysId: 'ci-3', criticality: 2 }),
      item({ sysId: 'ci-p', name: 'PAY-API', service: 'payments-api', criticality: 4 }),
    ],
  });
  const row = (name: string) => rows.find((r) => r.name === name);

  it('lists catalog services and deployed services once each, sorted', () => {
    expect(rows.map((r) => r.name)).toEqual(['ledger', 'payments-api', 'quiet', 'web']);
  });

  it('takes team, criticality and personal data from the catalog, and keys by connector id', () => {
    expect(row('payments-api')).toEqual({
      name: 'payments-api',
      team: 'payments',
      criticality: 'high',
      cmdbCriticality: 4,
      highImpact: true,
      personalData: true,
      cmdbItem: 'ci-p',
      gitlabKey: 'acme/payments-api',
      jenkinsKey: 'payments/payments-api-deploy',
      sonarqubeKey: null,
      cmdbKey: 'PAY-API',
    });
  });

  it('is high-impact by CMDB criticality 1 or 2, and picks an installed production item', () => {
    expect(row('ledger')).toMatchObject({
      criticality: null,
      cmdbCriticality: 1,
      highImpact: true,
      cmdbItem: 'ci-3',
      cmdbKey: 'ledger',
      // acme/ledger-old: 4 records over two sources beats acme/ledger's 3.
      gitlabKey: 'acme/ledger-old',
      sonarqubeKey: 'ledger',
      jenkinsKey: null,
    });
  });

  it('is not high-impact without a high catalog criticality or a critical CMDB item', () => {
    expect(row('web')).toMatchObject({
      highImpact: false,
      cmdbItem: null,
      cmdbKey: null,
      jenkinsKey: 'shop/web-deploy',
    });
    expect(row('quiet')).toMatchObject({ criticality: 'low', highImpact: false, team: null });
  });
});
