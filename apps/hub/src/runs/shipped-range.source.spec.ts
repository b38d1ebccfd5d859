/**
 * The `shipped-ranges` stream over a real store (SQLite and PostgreSQL): which ranges it asks a
 * repository reader for, that a later run asks again only for what changed, that MRs no longer in
 * a deployment's range are marked deleted, and that a range read with problems is read again.
 */
import type { DeploymentRecord, NormalizedRecord } from '@audit-hub/domain';
import type { Batch, Connection, ShippedRange, ShippedRangeQuery } from '@audit-hub/plugin-sdk';
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { defaultConfig, type AppConfig } from '../config/config.schema';
import type { ConnectorRegistry } from '../connectors/connector.registry';
import { ENTITIES } from '../store/entities';
import { RecordStore } from '../store/record.store';
import { ShippedRangeSource } from './shipped-range.source';

const REPO = 'acme/settlement-engine';
const sha = (c: string) => c.repeat(40);

function jenkinsDeployment(
  number: number,
  commit: string,
  startedAt: string,
): NormalizedRecord<'deployment'> {
  const data: DeploymentRecord = {
    service: 'settlement-engine',
    project: 'finance/settlement-engine-deploy',
    environment: 'production',
    tier: 'production',
    status: 'success',
    startedAt,
    finishedAt: startedAt,
    commitSha: sha(commit),
    ref: 'origin/main',
    isTag: false,
    viaPipeline: true,
    variables: {},
    approvals: [],
    testReport: null,
    artifacts: [],
  };
  return { kind: 'deployment', externalId: `finance/settlement-engine-deploy#${number}`, data };
}

function mr(iid: number): NormalizedRecord<'merge-request'> {
  return {
    kind: 'merge-request',
    externalId: `${REPO}!${iid}`,
    data: {
      project: REPO,
      iid,
      title: `MR ${iid}`,
      description: '',
      author: 'dev',
      targetBranch: 'main',
      approvedBy: ['rev'],
      commitShas: [],
    },
  };
}

/** A reader that ships MR !<n> for every range ending at the commit `n…n`, unless told otherwise. */
class FakeReader {
  calls: ShippedRangeQuery[] = [];
  answers = new Map<string, Partial<ShippedRange>>();
  async shipped(query: ShippedRangeQuery): Promise<ShippedRange> {
    this.calls.push(query);
    const iid = Number(query.toSha[0]);
    const answer = this.answers.get(query.toSha) ?? {};
    const mrs = answer.mergeRequests ?? [`${REPO}!${iid}`];
    return {
      records: mrs.map((id) => mr(Number(id.split('!')[1]))),
      mergeRequests: mrs,
      problems: answer.problems ?? [],
    };
  }
}

describe.each(DB_KINDS)('shipped ranges of Jenkins deployments on %s', (kind) => {
  let ds: DataSource;
  let store: RecordStore;
  let source: ShippedRangeSource;
  let reader: FakeReader;
  let run = 0;
  const now = new Date('2026-11-02T00:00:00.000Z');
  const ingestContext = (connector: string) => ({
    connector,
    runId: `run-${run}`,
    now,
    isProduction: () => true,
    serviceOf: () => 'settlement-engine',
  });

  /** One read of the stream, stored as the collector stores it (under the GitLab connector). */
  async function read(full = false): Promise<Batch[]> {
    run++;
    const stream = source.stream('gitlab', { repository: reader } as unknown as Connection, {
      runId: `run-${run}`,
      now,
      full,
    })!;
    const batches: Batch[] = [];
    for await (const batch of stream.read({ cursor: null, full, since: new Date(0) })) {
      await store.ingest(batch.records, ingestContext('gitlab'));
      batches.push(batch);
    }
    return batches;
  }

  const shippedWith = async (deployment: string) =>
    (
      await ds.query(
        `SELECT merge_request_id FROM deployment_mr WHERE deployment_connector = 'jenkins'
         AND deployment_id = '${deployment}' AND deleted = FALSE AND connector = 'gitlab' ORDER BY merge_request_id`,
      )
    ).map((r: { merge_request_id: string }) => r.merge_request_id);

  beforeAll(async () => {
    ds = await testDataSource(kind);
    store = new RecordStore(ds);
    const config: AppConfig = {
      ...defaultConfig(),
      services: [{ name: 'settlement-engine', personalData: false, keys: { gitlab: REPO } }],
    };
    const instance = (id: string, capabilities: string[]) => ({
      id,
      plugin: { manifest: { id, capabilities } },
    });
    const instances = [
      instance('gitlab', ['deployments', 'merge-requests', 'commits']),
      instance('jenkins', ['deployments', 'builds']),
    ];
    const registry = {
      instances: () => instances,
      get: (id: string) => instances.find((i) => i.id === id)!,
    } as unknown as ConnectorRegistry;
    source = new ShippedRangeSource(config, ds, registry, store);
  });

  afterAll(() => dropTestDataSource(ds));

  beforeEach(async () => {
    for (const entity of ENTITIES) {
      if (!ds.getMetadata(entity).tableName.startsWith('evidence_')) await ds.getRepository(entity).clear();
    }
    reader = new FakeReader();
  });

  it('reads each production deployment from its previous one, once; a later run asks only for what changed', async () => {
    await store.ingest(
      [
        jenkinsDeployment(2, '2', '2026-10-02T10:00:00.000Z'),
        jenkinsDeployment(3, '3', '2026-10-03T10:00:00.000Z'),
      ],
      ingestContext('jenkins'),
    );
    const batches = await read();
    expect(reader.calls).toEqual([
      { repository: REPO, fromSha: null, toSha: sha('2') },
      { repository: REPO, fromSha: sha('2'), toSha: sha('3') },
    ]);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(await shippedWith('finance/settlement-engine-deploy#3')).toEqual([`${REPO}!3`]);

    reader.calls = [];
    await read();
    expect(reader.calls).toEqual([]);

    // An earlier deployment collected late changes #2's range: #2 is read again from it, and the
    // MR it no longer ships is marked deleted; #3 keeps its range.
    await store.ingest([jenkinsDeployment(1, '1', '2026-10-01T10:00:00.000Z')], ingestContext('jenkins'));
    reader.answers.set(sha('2'), { mergeRequests: [`${REPO}!9`] });
    await read();
    expect(reader.calls).toEqual([
      { repository: REPO, fromSha: null, toSha: sha('1') },
      { repository: REPO, fromSha: sha('1'), toSha: sha('2') },
    ]);
    expect(await shippedWith('finance/settlement-engine-deploy#2')).toEqual([`${REPO}!9`]);

    reader.calls = [];
    await read(true);
    expect(reader.calls).toHaveLength(3);
  });

  it('a range read with problems names the deployment, and is read again on the next run', async () => {
    await store.ingest([jenkinsDeployment(5, '5', '2026-10-05T10:00:00.000Z')], ingestContext('jenkins'));
    reader.answers.set(sha('5'), {
      problems: [{ where: `${REPO}: compare`, error: '503 Service Unavailable', kinds: ['merge-request'] }],
    });
    const batches = await read();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `deployment jenkins:finance/settlement-engine-deploy#5: ${REPO}: compare`,
        error: '503 Service Unavailable',
        kinds: ['merge-request'],
      },
    ]);
    reader.calls = [];
    reader.answers.clear();
    await read();
    expect(reader.calls).toEqual([{ repository: REPO, fromSha: null, toSha: sha('5') }]);
  });
});
