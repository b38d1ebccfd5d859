import type { DeploymentRecord, NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { DataSource, QueryDeepPartialEntity } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import {
  ChangeRequestEntity,
  CommitEntity,
  DeploymentEntity,
  DeploymentMrEntity,
  ENTITIES,
  IdentityEntity,
  MergeRequestEntity,
  RecordEntity,
} from './entities';
import { contentHash, RecordStore, type IngestContext } from './record.store';
import { StoreError } from './store.error';
import { runInTransaction } from './transaction';

/** 2024-05-01 at the given hour, UTC. */
const at = (hour: number, minute = 0) => new Date(Date.UTC(2024, 4, 1, hour, minute));
const iso = (hour: number, minute = 0) => at(hour, minute).toISOString();

function context(now: Date, overrides: Partial<IngestContext> = {}): IngestContext {
  return {
    connector: 'gitlab',
    runId: `run-${now.getTime()}`,
    now,
    isProduction: (environment, tier) => (tier ? tier === 'production' : /^prod/.test(environment)),
    serviceOf: (kind, data) =>
      kind === 'deployment' || kind === 'merge-request'
        ? (data as { project: string }).project.split('/').pop()
        : undefined,
    ...overrides,
  };
}

function deploymentData(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    project: 'acme/payments-api',
    environment: 'production',
    tier: 'production',
    status: 'success',
    startedAt: '2024-04-30T10:00:00Z',
    finishedAt: '2024-04-30T10:05:00.000Z',
    commitSha: 'a'.repeat(40),
    commitMessage: 'Fix rounding (CHG0030042)',
    ref: 'main',
    isTag: false,
    viaPipeline: true,
    pipelineId: '991',
    jobName: 'deploy-prod',
    variables: { CHANGE: 'CHG0030042' },
    approvals: null,
    testReport: { total: 10, failed: 0 },
    artifacts: [],
    ...overrides,
  };
}

function deployment(
  id: string | number,
  overrides: Partial<DeploymentRecord> = {},
): NormalizedRecord<'deployment'> {
  return { kind: 'deployment', externalId: String(id), data: deploymentData(overrides), raw: { id } };
}

function identity(userName: string, active = true): NormalizedRecord<'identity'> {
  return {
    kind: 'identity',
    externalId: userName,
    data: { userName, name: userName.toUpperCase(), email: `${userName}@acme.com`, active },
  };
}

describe.each(DB_KINDS)('RecordStore on %s', (kind) => {
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
    // The evidence ledger is append-only (its triggers refuse TRUNCATE) and this spec writes none.
    for (const entity of ENTITIES) {
      if (!ds.getMetadata(entity).tableName.startsWith('evidence_')) await ds.getRepository(entity).clear();
    }
  });

  const versions = <K extends RecordKind>(connector: string, recordKind: K, externalId: string) =>
    store.history(connector, recordKind, externalId);

  it('inserts a new record with its first version and projection row', async () => {
    const result = await store.ingest([deployment(1042)], context(at(1)));

    expect(result).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const [version] = await versions('gitlab', 'deployment', '1042');
    expect(version).toMatchObject({
      connector: 'gitlab',
      kind: 'deployment',
      externalId: '1042',
      contentHash: contentHash(deploymentData()),
      firstSeenAt: iso(1),
      lastSeenAt: iso(1),
      validFrom: iso(1),
      validTo: null,
      deletedAt: null,
      runId: `run-${at(1).getTime()}`,
    });
    expect(version.data).toEqual(deploymentData());
    const row = await ds
      .getRepository(DeploymentEntity)
      .findOneByOrFail({ connector: 'gitlab', externalId: '1042' });
    expect(row).toMatchObject({
      recordId: version.recordId,
      project: 'acme/payments-api',
      service: 'payments-api',
      environment: 'production',
      tier: 'production',
      isProduction: true,
      status: 'success',
      startedAt: '2024-04-30T10:00:00.000Z',
      finishedAt: '2024-04-30T10:05:00.000Z',
      commitMessage: 'Fix rounding (CHG0030042)',
      isTag: false,
      viaPipeline: true,
      variables: { CHANGE: 'CHG0030042' },
      approvals: null,
      testReport: { total: 10, failed: 0 },
      artifacts: [],
      causes: null,
      deleted: false,
    });
  });

  it('bumps only last_seen_at for an unchanged record, whatever its key order or raw', async () => {
    await store.ingest([deployment(1)], context(at(1)));
    const reordered = Object.fromEntries(
      Object.entries(deploymentData()).reverse(),
    ) as unknown as DeploymentRecord;

    const result = await store.ingest(
      [{ kind: 'deployment', externalId: '1', data: reordered, raw: { other: true } }],
      context(at(2)),
    );

    expect(result).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    const history = await versions('gitlab', 'deployment', '1');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      firstSeenAt: iso(1),
      lastSeenAt: iso(2),
      validFrom: iso(1),
      validTo: null,
    });
  });

  it('closes the old version and writes a new one, keeping first_seen_at, when content changes', async () => {
    await store.ingest([deployment(1, { status: 'running' })], context(at(1)));
    await store.ingest([deployment(1, { status: 'running' })], context(at(2)));

    const result = await store.ingest([deployment(1, { status: 'success' })], context(at(3)));

    expect(result).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const [old, latest] = await versions('gitlab', 'deployment', '1');
    expect(old).toMatchObject({
      firstSeenAt: iso(1),
      lastSeenAt: iso(2),
      validFrom: iso(1),
      validTo: iso(3),
    });
    expect(old.data.status).toBe('running');
    expect(latest).toMatchObject({
      firstSeenAt: iso(1),
      lastSeenAt: iso(3),
      validFrom: iso(3),
      validTo: null,
    });
    expect(latest.data.status).toBe('success');
    const row = await ds
      .getRepository(DeploymentEntity)
      .findOneByOrFail({ connector: 'gitlab', externalId: '1' });
    expect(row).toMatchObject({ recordId: latest.recordId, status: 'success' });
  });

  it('decides production and service at ingest: the upstream tier wins, patterns only without one', async () => {
    await store.ingest(
      [
        deployment(1, { environment: 'prod-eu', tier: 'staging' }),
        deployment(2, { environment: 'prod-eu', tier: null }),
        deployment(3, { environment: 'qa', tier: null, service: 'ledger' }),
      ],
      context(at(1)),
    );

    const rows = await ds.getRepository(DeploymentEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map((r) => [r.externalId, r.isProduction, r.service])).toEqual([
      ['1', false, 'payments-api'],
      ['2', true, 'payments-api'],
      ['3', false, 'ledger'],
    ]);
  });

  it('counts a record repeated in one batch once, as its last occurrence', async () => {
    const result = await store.ingest(
      [deployment(7, { status: 'running' }), deployment(7, { status: 'failed' })],
      context(at(1)),
    );

    expect(result).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const [current] = await store.current('gitlab', 'deployment', ['7']);
    expect(current.data.status).toBe('failed');
  });

  it('refuses a record its projection cannot hold, naming it, and writes nothing of the batch', async () => {
    const broken = deployment(2, { startedAt: 'yesterday' });

    const attempt = store.ingest([deployment(1), broken], context(at(1)));

    await expect(attempt).rejects.toThrow(StoreError);
    await expect(attempt).rejects.toThrow('gitlab: deployment "2": startedAt must be an ISO-8601 instant');
    expect(await ds.getRepository(RecordEntity).count()).toBe(0);
  });

  it('projects changes, approvals, merge requests, deployment MRs, commits and identities', async () => {
    await store.ingest(
      [
        {
          kind: 'change',
          externalId: 'CHG0030042',
          data: {
            number: 'CHG0030042',
            sysId: 'c1',
            type: 'normal',
            state: 'closed',
            approval: 'approved',
            // ServiceNow's table API answers in UTC without a zone designator.
            approvalSetAt: '2024-04-29 08:00:00',
            plannedStart: '2024-04-30T09:00:00Z',
            plannedEnd: '2024-04-30T12:00:00Z',
            requestedBy: 'jane',
            ci: { sysId: 'ci-9', name: 'payments-api' },
            shortDescription: 'Release 1.4',
            description: 'Rounding fix',
          },
        },
        {
          kind: 'change-approval',
          externalId: 'ap1',
          data: { change: 'CHG0030042', approver: 'bob', state: 'approved' },
        },
      ],
      context(at(1), { connector: 'servicenow' }),
    );
    await store.ingest(
      [
        {
          kind: 'merge-request',
          externalId: 'acme/payments-api!12',
          data: {
            project: 'acme/payments-api',
            iid: 12,
            title: 'Fix rounding',
            description: 'CHG0030042',
            author: 'jane',
            mergedAt: '2024-04-29T12:00:00+02:00',
            mergeCommitSha: 'b'.repeat(40),
            targetBranch: 'main',
            approvedBy: ['bob'],
            approvalsLeft: 0,
            commitShas: ['c'.repeat(40)],
          },
        },
        {
          kind: 'deployment-mr',
          externalId: '1042→acme/payments-api!12',
          data: { deployment: '1042', mergeRequest: 'acme/payments-api!12' },
        },
        {
          kind: 'commit',
          externalId: `acme/payments-api@${'c'.repeat(40)}`,
          data: {
            project: 'acme/payments-api',
            sha: 'c'.repeat(40),
            title: 'Fix rounding',
            message: 'Fix rounding\n\nCHG0030042',
            authorName: 'Jane',
            authorEmail: 'jane@acme.com',
            committedAt: '2024-04-29T09:00:00Z',
            signature: 'verified',
          },
        },
        identity('jane'),
      ],
      context(at(1)),
    );

    expect(
      await ds.getRepository(ChangeRequestEntity).findOneByOrFail({ number: 'CHG0030042' }),
    ).toMatchObject({
      connector: 'servicenow',
      sysId: 'c1',
      approval: 'approved',
      approvalSetAt: '2024-04-29T08:00:00.000Z',
      plannedStart: '2024-04-30T09:00:00.000Z',
      ciSysId: 'ci-9',
      ciName: 'payments-api',
      closedAt: null,
      deleted: false,
    });
    expect(
      await ds.getRepository(MergeRequestEntity).findOneByOrFail({ externalId: 'acme/payments-api!12' }),
    ).toMatchObject({
      service: 'payments-api',
      iid: 12,
      mergedAt: '2024-04-29T10:00:00.000Z',
      approvedBy: ['bob'],
      approvalsRequired: null,
      approvalsLeft: 0,
      commitShas: ['c'.repeat(40)],
    });
    expect(await ds.getRepository(DeploymentMrEntity).findOneByOrFail({ connector: 'gitlab' })).toMatchObject(
      {
        deploymentId: '1042',
        mergeRequestId: 'acme/payments-api!12',
      },
    );
    expect(await ds.getRepository(CommitEntity).findOneByOrFail({ sha: 'c'.repeat(40) })).toMatchObject({
      signature: 'verified',
      committedAt: '2024-04-29T09:00:00.000Z',
    });
    expect(await ds.getRepository(IdentityEntity).findOneByOrFail({ userName: 'jane' })).toMatchObject({
      email: 'jane@acme.com',
      active: true,
    });
  });

  it('keeps kinds it does not project in the record history only', async () => {
    const entitlement: NormalizedRecord<'entitlement'> = {
      kind: 'entitlement',
      externalId: 'jane:prod-deploy',
      data: { holder: 'jane', holderAliases: [], resource: 'prod-deploy', holderType: 'user' },
    };

    await store.ingest([entitlement], context(at(1), { connector: 'vault' }));

    const current = await store.current('vault', 'entitlement');
    expect(current.map((r) => [r.externalId, r.data.resource])).toEqual([
      ['jane:prod-deploy', 'prod-deploy'],
    ]);
  });

  describe('markMissingDeleted', () => {
    it('marks current records a complete snapshot no longer holds as deleted, and undeletes them when they return', async () => {
      await store.ingest(
        [identity('ann'), identity('bob'), identity('cid')],
        context(at(1), { connector: 'sn' }),
      );
      await store.ingest([identity('cid')], context(at(1), { connector: 'other' }));
      await store.ingest([identity('ann'), identity('bob')], context(at(2), { connector: 'sn' }));

      const marked = await store.markMissingDeleted('sn', ['identity'], at(2), 'run-2', at(2, 30));

      expect(marked).toBe(1);
      expect((await store.current('sn', 'identity')).map((r) => r.externalId)).toEqual(['ann', 'bob']);
      const [gone] = await store.current('sn', 'identity', ['cid'], { includeDeleted: true });
      expect(gone).toMatchObject({
        deletedAt: iso(2, 30),
        validFrom: iso(2, 30),
        firstSeenAt: iso(1),
        lastSeenAt: iso(1),
      });
      expect(gone.runId).toBe('run-2');
      const [before] = await versions('sn', 'identity', 'cid');
      expect(before).toMatchObject({ validTo: iso(2, 30), deletedAt: null });
      const row = await ds
        .getRepository(IdentityEntity)
        .findOneByOrFail({ connector: 'sn', externalId: 'cid' });
      expect(row).toMatchObject({ deleted: true, recordId: gone.recordId });
      // Another connector's record of the same id is not part of this snapshot.
      expect(await store.current('other', 'identity', ['cid'])).toHaveLength(1);
      // Marking again finds nothing new.
      expect(await store.markMissingDeleted('sn', ['identity'], at(2), 'run-2', at(2, 45))).toBe(0);

      const back = await store.ingest([identity('cid')], context(at(3), { connector: 'sn' }));

      expect(back).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      const [returned] = await store.current('sn', 'identity', ['cid']);
      expect(returned).toMatchObject({ deletedAt: null, firstSeenAt: iso(1), validFrom: iso(3) });
      const again = await ds
        .getRepository(IdentityEntity)
        .findOneByOrFail({ connector: 'sn', externalId: 'cid' });
      expect(again).toMatchObject({ deleted: false, recordId: returned.recordId });
    });

    it('leaves kinds it was not asked about alone', async () => {
      await store.ingest([identity('ann'), deployment(1)], context(at(1)));

      expect(await store.markMissingDeleted('gitlab', ['identity'], at(2), 'run-2', at(2))).toBe(1);
      expect(await store.current('gitlab', 'deployment')).toHaveLength(1);
    });
  });

  it('answers as of an instant with the version valid then', async () => {
    await store.ingest([deployment(1, { status: 'running' }), identity('ann')], context(at(1)));
    await store.ingest([deployment(1, { status: 'success' })], context(at(3)));
    await store.markMissingDeleted('gitlab', ['identity'], at(3), 'run-3', at(4));

    expect(await store.asOf('deployment', at(0))).toEqual([]);
    expect((await store.asOf('deployment', at(1))).map((r) => r.data.status)).toEqual(['running']);
    expect((await store.asOf('deployment', at(2, 59))).map((r) => r.data.status)).toEqual(['running']);
    expect((await store.asOf('deployment', at(3))).map((r) => r.data.status)).toEqual(['success']);
    expect((await store.asOf('identity', at(3, 59))).map((r) => r.externalId)).toEqual(['ann']);
    expect(await store.asOf('identity', at(4))).toEqual([]);
    expect((await store.asOf('identity', at(4), { includeDeleted: true })).map((r) => r.deletedAt)).toEqual([
      iso(4),
    ]);
    expect(await store.asOf('deployment', at(5), { connector: 'jenkins' })).toEqual([]);
  });

  it('refuses a second current version of a record (partial unique index), but not a closed one', async () => {
    await store.ingest([deployment(1)], context(at(1)));
    const [current] = await versions('gitlab', 'deployment', '1');
    const repository = ds.getRepository(RecordEntity);
    const copy: QueryDeepPartialEntity<RecordEntity> = {
      connector: 'gitlab',
      kind: 'deployment',
      externalId: '1',
      contentHash: current.contentHash,
      data: current.data as object,
      firstSeenAt: iso(1),
      lastSeenAt: iso(1),
      validFrom: iso(0),
      deletedAt: null,
      runId: 'manual',
    };

    await expect(repository.insert({ ...copy, validTo: null })).rejects.toThrow(/unique|duplicate/i);
    await expect(repository.insert({ ...copy, validTo: iso(1) })).resolves.toBeDefined();
  });

  it("writes in the caller's transaction, and rolls back with it", async () => {
    const attempt = runInTransaction(ds, async (manager) => {
      await store.ingest([deployment(1)], context(at(1), { manager }));
      expect(await manager.getRepository(DeploymentEntity).count()).toBe(1);
      throw new Error('cursor could not be saved');
    });

    await expect(attempt).rejects.toThrow('cursor could not be saved');
    expect(await ds.getRepository(RecordEntity).count()).toBe(0);
    expect(await ds.getRepository(DeploymentEntity).count()).toBe(0);
  });

  it('leaves one current version when writers ingest the same records at the same time', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => deployment(i));

    const results = await Promise.all(Array.from({ length: 6 }, () => store.ingest(batch, context(at(1)))));

    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(50);
    expect(results.every((r) => r.inserted + r.updated + r.unchanged === 50)).toBe(true);
    expect(await ds.getRepository(RecordEntity).count()).toBe(50);
    expect(await ds.getRepository(DeploymentEntity).count()).toBe(50);
  });

  it('ingests 5,000 deployments in batches of 500, then a change to half of them', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 100_000 + i);
    const batches = (status: (id: number) => DeploymentRecord['status']) =>
      Array.from({ length: 10 }, (_, b) =>
        ids.slice(b * 500, b * 500 + 500).map((id) => deployment(id, { status: status(id) })),
      );

    let inserted = 0;
    for (const batch of batches(() => 'running'))
      inserted += (await store.ingest(batch, context(at(1)))).inserted;
    const second = { inserted: 0, updated: 0, unchanged: 0 };
    for (const batch of batches((id) => (id % 2 === 0 ? 'success' : 'running'))) {
      const result = await store.ingest(batch, context(at(2)));
      second.inserted += result.inserted;
      second.updated += result.updated;
      second.unchanged += result.unchanged;
    }

    expect(inserted).toBe(5000);
    expect(second).toEqual({ inserted: 0, updated: 2500, unchanged: 2500 });
    expect(await ds.getRepository(RecordEntity).count()).toBe(7500);
    // Every projection row points at its record's current version and shows its content.
    const [{ matching }] = await ds.query(
      `SELECT COUNT(*) AS matching FROM deployment d
         JOIN record r ON r.id = d.record_id
        WHERE r.connector = d.connector AND r.kind = 'deployment' AND r.external_id = d.external_id
          AND r.valid_to IS NULL AND d.status = CASE WHEN r.first_seen_at = r.valid_from THEN 'running' ELSE 'success' END`,
    );
    expect(Number(matching)).toBe(5000);
  });
});
