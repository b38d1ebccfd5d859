import { RECORD_KINDS, type NormalizedRecord } from '@audit-hub/domain';
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { ServiceResolver } from '../linking/service.resolver';
import {
  BuildEntity,
  ConfigItemEntity,
  EntitlementEntity,
  GroupMembershipEntity,
  QualityGateEntity,
} from './entities';
import { PROJECTIONS } from './record-projection.mapper';
import { RecordStore, type IngestContext } from './record.store';
import { StoreError } from './store.error';

const NOW = new Date('2024-05-01T12:00:00.000Z');

const services = new ServiceResolver([
  {
    name: 'payments-api',
    personalData: false,
    keys: { cmdb: 'PAY-API', sonar: 'acme_payments-api', jenkins: 'payments/payments-api-build' },
  },
  { name: 'Ledger', personalData: false, keys: {} },
]);

function context(connector: string, plugin: string, overrides: Partial<IngestContext> = {}): IngestContext {
  return {
    connector,
    runId: 'run-1',
    now: NOW,
    isProduction: () => false,
    serviceOf: (kind, data) => services.serviceOf({ id: connector, plugin }, kind, data),
    ...overrides,
  };
}

const TABLES = ['record', 'entitlement', 'group_membership', 'config_item', 'quality_gate', 'build'];

describe('PROJECTIONS', () => {
  it('gives every record kind a projection table', () => {
    expect(RECORD_KINDS.filter((kind) => !PROJECTIONS[kind])).toEqual([]);
  });
});

describe.each(DB_KINDS)('access, CMDB, quality-gate and build projections on %s', (kind) => {
  let ds: DataSource;
  let store: RecordStore;

  beforeAll(async () => {
    ds = await testDataSource(kind);
    store = new RecordStore(ds);
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
  });

  beforeEach(async () => {
    for (const table of TABLES) await ds.query(`DELETE FROM ${table}`);
  });

  it("projects an entitlement, production decided by the connector's isProductionResource", async () => {
    const records: NormalizedRecord<'entitlement'>[] = [
      {
        kind: 'entitlement',
        externalId: 'entity-7f3a:payments-prod-ro',
        data: {
          holder: 'entity-7f3a',
          holderAliases: ['carol', 'carol@acme.com'],
          resource: 'payments-prod-ro',
          via: 'prod-admins',
          permissions: ['read'],
          expiresAt: '2024-06-01 00:00:00',
          holderType: 'user',
        },
      },
      {
        kind: 'entitlement',
        externalId: 'entity-7f3a:dev-read',
        data: { holder: 'entity-7f3a', holderAliases: [], resource: 'dev-read', holderType: 'service' },
      },
    ];
    await store.ingest(
      records,
      context('vault', 'vault', { isProductionResource: (resource) => resource.includes('prod') }),
    );

    const [version] = await store.history('vault', 'entitlement', 'entity-7f3a:payments-prod-ro');
    expect(
      await ds
        .getRepository(EntitlementEntity)
        .findOneByOrFail({ connector: 'vault', externalId: 'entity-7f3a:payments-prod-ro' }),
    ).toEqual({
      connector: 'vault',
      externalId: 'entity-7f3a:payments-prod-ro',
      recordId: version.recordId,
      holder: 'entity-7f3a',
      holderAliases: ['carol', 'carol@acme.com'],
      resource: 'payments-prod-ro',
      via: 'prod-admins',
      permissions: ['read'],
      expiresAt: '2024-06-01T00:00:00.000Z',
      holderType: 'user',
      isProduction: true,
      deleted: false,
    });
    expect(
      await ds
        .getRepository(EntitlementEntity)
        .findOneByOrFail({ connector: 'vault', externalId: 'entity-7f3a:dev-read' }),
    ).toMatchObject({
      via: null,
      permissions: null,
      expiresAt: null,
      holderType: 'service',
      isProduction: false,
    });
  });

  it('never makes an entitlement production without isProductionResource', async () => {
    await store.ingest(
      [
        {
          kind: 'entitlement',
          externalId: 'ann:prod-everything',
          data: { holder: 'ann', holderAliases: [], resource: 'prod-everything', holderType: 'user' },
        },
      ],
      context('other', 'custom-vault'),
    );
    expect(await ds.getRepository(EntitlementEntity).findOneByOrFail({ connector: 'other' })).toMatchObject({
      isProduction: false,
    });
  });

  it('refuses an entitlement whose holderAliases is not a list of strings, naming it', async () => {
    const bad = {
      kind: 'entitlement',
      externalId: 'ann:x',
      data: { holder: 'ann', holderAliases: 'carol', resource: 'x', holderType: 'user' },
    } as unknown as NormalizedRecord;
    const error = await store.ingest([bad], context('vault', 'vault')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      'vault: entitlement "ann:x": holderAliases must be a list of strings (got a string)',
    );
    expect(await ds.getRepository(EntitlementEntity).count()).toBe(0);
  });

  it('projects a group membership, and marks it deleted when a complete snapshot no longer has it', async () => {
    await store.ingest(
      [
        {
          kind: 'group-membership',
          externalId: 'Developers/bob',
          data: { group: 'Developers', member: 'bob', source: 'servicenow' },
        },
        {
          kind: 'group-membership',
          externalId: 'Developers/ann',
          data: { group: 'Developers', member: 'ann', source: 'servicenow' },
        },
      ],
      context('servicenow', 'servicenow'),
    );
    const later = new Date(NOW.getTime() + 3_600_000);
    await store.ingest(
      [
        {
          kind: 'group-membership',
          externalId: 'Developers/bob',
          data: { group: 'Developers', member: 'bob', source: 'servicenow' },
        },
      ],
      { ...context('servicenow', 'servicenow'), now: later, runId: 'run-2' },
    );
    await store.markMissingDeleted('servicenow', ['group-membership'], later, 'run-2', later);

    const rows = await ds.getRepository(GroupMembershipEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map(({ recordId: _r, ...row }) => row)).toEqual([
      {
        connector: 'servicenow',
        externalId: 'Developers/ann',
        grp: 'Developers',
        member: 'ann',
        source: 'servicenow',
        deleted: true,
      },
      {
        connector: 'servicenow',
        externalId: 'Developers/bob',
        grp: 'Developers',
        member: 'bob',
        source: 'servicenow',
        deleted: false,
      },
    ]);
  });

  it('projects config items with their service: catalog key, catalog name, else the name lower-cased', async () => {
    const item = (sysId: string, name: string, criticality?: number): NormalizedRecord<'config-item'> => ({
      kind: 'config-item',
      externalId: sysId,
      data: {
        name,
        class: 'cmdb_ci_appl',
        installStatus: 'installed',
        ...(criticality !== undefined ? { criticality } : {}),
      },
    });
    await store.ingest(
      [
        {
          kind: 'config-item',
          externalId: 'ci-pay',
          data: {
            name: 'PAY-API',
            class: 'cmdb_ci_appl',
            version: '2.4.1',
            environment: 'Production',
            installStatus: 'retired',
            criticality: 1,
            ownerGroup: 'Payments Ops',
          },
        },
        item('ci-ledger', 'LEDGER'),
        item('ci-web', 'Web Shop', 3),
      ],
      context('cmdb', 'cmdb'),
    );
    const rows = await ds.getRepository(ConfigItemEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map(({ recordId: _r, ...row }) => row)).toEqual([
      {
        connector: 'cmdb',
        externalId: 'ci-ledger',
        name: 'LEDGER',
        class: 'cmdb_ci_appl',
        version: null,
        environment: null,
        installStatus: 'installed',
        criticality: null,
        ownerGroup: null,
        service: 'Ledger',
        deleted: false,
      },
      {
        connector: 'cmdb',
        externalId: 'ci-pay',
        name: 'PAY-API',
        class: 'cmdb_ci_appl',
        version: '2.4.1',
        environment: 'Production',
        installStatus: 'retired',
        criticality: 1,
        ownerGroup: 'Payments Ops',
        service: 'payments-api',
        deleted: false,
      },
      {
        connector: 'cmdb',
        externalId: 'ci-web',
        name: 'Web Shop',
        class: 'cmdb_ci_appl',
        version: null,
        environment: null,
        installStatus: 'installed',
        criticality: 3,
        ownerGroup: null,
        service: 'web shop',
        deleted: false,
      },
    ]);
  });

  it('projects a quality gate with its service from the SonarQube project key', async () => {
    await store.ingest(
      [
        {
          kind: 'quality-gate',
          externalId: 'AU-Tpxb--iU5OvuD2FLy',
          data: {
            projectKey: 'acme_payments-api',
            revision: 'b'.repeat(40),
            analysedAt: '2024-04-30T09:59:00+02:00',
            status: 'ERROR',
            conditions: [{ metric: 'new_coverage', status: 'ERROR', actual: '61.5', threshold: '80' }],
          },
        },
        {
          kind: 'quality-gate',
          externalId: 'AU-no-revision',
          data: { projectKey: 'Ledger', analysedAt: '2024-04-30T08:00:00Z', status: 'OK' },
        },
      ],
      context('sonar', 'sonarqube'),
    );
    const rows = await ds.getRepository(QualityGateEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map(({ recordId: _r, ...row }) => row)).toEqual([
      {
        connector: 'sonar',
        externalId: 'AU-Tpxb--iU5OvuD2FLy',
        projectKey: 'acme_payments-api',
        service: 'payments-api',
        revision: 'b'.repeat(40),
        analysedAt: '2024-04-30T07:59:00.000Z',
        status: 'ERROR',
        conditions: [{ metric: 'new_coverage', status: 'ERROR', actual: '61.5', threshold: '80' }],
        deleted: false,
      },
      {
        connector: 'sonar',
        externalId: 'AU-no-revision',
        projectKey: 'Ledger',
        service: 'ledger',
        revision: null,
        analysedAt: '2024-04-30T08:00:00.000Z',
        status: 'OK',
        conditions: null,
        deleted: false,
      },
    ]);
  });

  it('projects a build with its finish time, a duration past 32 bits, and its service', async () => {
    const longMs = 30 * 24 * 3_600_000;
    await store.ingest(
      [
        {
          kind: 'build',
          externalId: 'payments/payments-api-build#57',
          data: {
            job: 'payments/payments-api-build',
            number: 57,
            result: 'SUCCESS',
            startedAt: '2024-04-30T10:00:00Z',
            durationMs: 90_500,
            commitSha: 'c'.repeat(40),
            parameters: { BRANCH: 'main' },
            causes: [{ type: 'scm' }],
            artifacts: [{ fileName: 'payments-api.jar', md5: 'd41d8cd98f00b204e9800998ecf8427e' }],
            testReport: { total: 120, failed: 0 },
          },
        },
        {
          kind: 'build',
          externalId: 'shop/cart-build#3',
          data: {
            job: 'shop/cart-build',
            number: 3,
            result: 'ABORTED',
            startedAt: '2024-03-01T00:00:00Z',
            durationMs: longMs,
            parameters: {},
            causes: [],
            artifacts: [],
          },
        },
      ],
      context('jenkins', 'jenkins'),
    );
    const rows = await ds.getRepository(BuildEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map(({ recordId: _r, ...row }) => row)).toEqual([
      {
        connector: 'jenkins',
        externalId: 'payments/payments-api-build#57',
        job: 'payments/payments-api-build',
        number: 57,
        result: 'SUCCESS',
        startedAt: '2024-04-30T10:00:00.000Z',
        durationMs: 90_500,
        finishedAt: '2024-04-30T10:01:30.500Z',
        commitSha: 'c'.repeat(40),
        parameters: { BRANCH: 'main' },
        causes: [{ type: 'scm' }],
        artifacts: [{ fileName: 'payments-api.jar', md5: 'd41d8cd98f00b204e9800998ecf8427e' }],
        testReport: { total: 120, failed: 0 },
        service: 'payments-api',
        deleted: false,
      },
      {
        connector: 'jenkins',
        externalId: 'shop/cart-build#3',
        job: 'shop/cart-build',
        number: 3,
        result: 'ABORTED',
        startedAt: '2024-03-01T00:00:00.000Z',
        durationMs: longMs,
        finishedAt: '2024-03-31T00:00:00.000Z',
        commitSha: null,
        parameters: {},
        causes: [],
        artifacts: [],
        testReport: null,
        service: 'cart-build',
        deleted: false,
      },
    ]);
    const [version] = await store.history('jenkins', 'build', 'shop/cart-build#3');
    expect(rows[1].recordId).toBe(version.recordId);
  });
});
