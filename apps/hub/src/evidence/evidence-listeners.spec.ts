import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedRecord } from '@audit-hub/domain';
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import type { Clock } from '../common/clock';
import { AppConfig, defaultConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { FindingTransition } from '../findings/finding-transition.listener';
import type { FindingEntity } from '../store/entities/finding.entity';
import { EvidenceEntryEntity } from '../store/entities/evidence-entry.entity';
import { contentHash } from '../store/record.store';
import { runInTransaction } from '../store/transaction';
import { CheckpointSigner } from './checkpoint.signer';
import { EvidenceBatchListener } from './evidence-batch.listener';
import { ticketActionEntry } from './evidence-entries';
import { EvidenceFindingListener } from './evidence-finding.listener';
import { EvidenceRunListener } from './evidence-run.listener';
import { EvidenceLedger } from './evidence.ledger';
import { verifyEvidence } from './evidence.verifier';
import { exportLedger } from './ledger-export';
import { canonicalJson } from './ledger-hash';

const TOKEN = 's3cr3t-T0KEN-value';
const DB_PASSWORD = 'db-pa55word';
const SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
/** Every form a leaked secret could take in the ledger. */
const LEAKS = [
  TOKEN,
  DB_PASSWORD,
  encodeURIComponent(TOKEN),
  Buffer.from(TOKEN).toString('base64'),
  SIGNING_KEY.split('\n')[1],
];

function config(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...defaultConfig(),
    storage: { database: `postgres://audit:${DB_PASSWORD}@127.0.0.1:5432/audit` },
    connectors: [
      {
        id: 'gitlab',
        plugin: 'gitlab',
        baseUrl: 'https://gitlab.example.com',
        enabled: true,
        auth: { token: TOKEN },
        options: {},
        http: {},
      },
    ],
    evidence: { signingKey: SIGNING_KEY, retentionDays: 2557 },
    ...overrides,
  };
}

const clock = { now: () => new Date('2024-05-01T00:00:00.000Z') } as Clock;

function finding(overrides: Partial<FindingEntity> = {}): FindingEntity {
  return {
    key: 'RM-CHG-001|gitlab:acme/payments-api#1042',
    controlId: 'RM-CHG-001',
    subjectType: 'deployment',
    subjectRef: 'gitlab:acme/payments-api#1042',
    severity: 'high',
    status: 'open',
    exception: null,
    ...overrides,
  } as FindingEntity;
}

describe.each(DB_KINDS)('evidence listeners on %s', (kind) => {
  let ds: DataSource;
  let redactor: Redactor;
  let ledger: EvidenceLedger;
  let dir: string;

  beforeAll(async () => {
    ds = await testDataSource(kind);
    // As the config loader seeds it: every value resolved from ${env:…} / ${file:…}.
    redactor = new Redactor([TOKEN, DB_PASSWORD, SIGNING_KEY]);
    ledger = new EvidenceLedger(ds, config(), clock, redactor);
    dir = mkdtempSync(join(tmpdir(), 'audit-hub-evidence-'));
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = () => ds.getRepository(EvidenceEntryEntity).find({ order: { seq: 'ASC' } });

  it('records digests of pages and records, transitions with their input, ticket actions and config; no secret enters', async () => {
    const batchListener = new EvidenceBatchListener(ledger, redactor);
    const record: NormalizedRecord<'deployment'> = {
      kind: 'deployment',
      externalId: 'acme/payments-api#1042',
      data: { project: 'acme/payments-api', variables: { DEPLOY_TOKEN: TOKEN } } as any,
      raw: { id: 1042, token: TOKEN },
    };
    await runInTransaction(ds, (tx) =>
      batchListener.onBatch(tx, {
        runId: 'run-1',
        connector: 'gitlab',
        stream: 'deployments',
        pages: [
          // As the HTTP client reports it: query secrets already redacted.
          {
            method: 'GET',
            url: '/api/v4/projects?private_token=[REDACTED]&page=2',
            status: 200,
            sha256: 'a'.repeat(64),
            bytes: 512,
          },
          // A secret the client did not know about, redacted here with what the hub knows.
          {
            method: 'GET',
            url: `/api/v4/deployments?token=${TOKEN}`,
            status: 200,
            sha256: 'b'.repeat(64),
            bytes: 40,
          },
        ],
        records: [record],
        cursor: { updatedAfter: '2024-04-30T00:00:00Z' },
      }),
    );

    const findingListener = new EvidenceFindingListener(ledger, redactor);
    const input = { deployment: { variables: { DEPLOY_TOKEN: TOKEN } }, changes: [] };
    const exception = {
      control: 'RM-CHG-001',
      subject: 'gitlab:acme/*',
      reason: 'migration',
      requestedBy: 'a',
      approvedBy: 'b',
      expires: '2027-03-31',
    };
    const transitions: FindingTransition[] = [
      {
        runId: 'run-1',
        at: '2024-05-01T00:00:00.000Z',
        fromStatus: null,
        toStatus: 'open',
        reason: 'no change ticket',
        input,
        finding: finding(),
      },
      {
        runId: 'run-1',
        at: '2024-05-01T00:00:00.000Z',
        fromStatus: 'open',
        toStatus: 'accepted',
        reason: 'covered by an exception',
        input: { exception },
        finding: finding({ key: 'RM-CHG-001|gitlab:acme/web#7', status: 'accepted', exception }),
      },
    ];
    await runInTransaction(ds, (tx) => findingListener.onTransitions(tx, transitions));
    await ledger.append(undefined, [
      ticketActionEntry({
        runId: 'run-1',
        findingKey: finding().key,
        action: 'create',
        tracker: 'jira',
        ticket: 'SEC-12',
        detail: { auth: TOKEN },
      }),
    ]);
    await new EvidenceRunListener(ledger, config(), redactor).onRunFinished('run-1', 'complete');

    const stored = await entries();
    expect(stored.map((e) => e.type)).toEqual([
      'page',
      'page',
      'record',
      'finding_transition',
      'finding_transition',
      'exception_decision',
      'ticket_action',
      'config',
    ]);
    expect(stored[0]).toMatchObject({
      subject: 'gitlab/deployments',
      runId: 'run-1',
      payload: {
        method: 'GET',
        url: '/api/v4/projects?private_token=[REDACTED]&page=2',
        status: 200,
        sha256: 'a'.repeat(64),
        bytes: 512,
      },
    });
    expect((stored[1].payload as { url: string }).url).toBe('/api/v4/deployments?token=[REDACTED]');
    expect(stored[2].payload).toEqual({
      connector: 'gitlab',
      stream: 'deployments',
      count: 1,
      records: [
        { kind: 'deployment', externalId: 'acme/payments-api#1042', contentHash: contentHash(record.data) },
      ],
    });
    expect(stored[3]).toMatchObject({
      subject: finding().key,
      payload: {
        key: finding().key,
        from: null,
        to: 'open',
        reason: 'no change ticket',
        inputSha256: createHash('sha256').update(canonicalJson(input)).digest('hex'),
        input: { deployment: { variables: { DEPLOY_TOKEN: '[REDACTED]' } }, changes: [] },
      },
    });
    expect(stored[5].payload).toMatchObject({
      decision: 'covered',
      from: 'open',
      to: 'accepted',
      exception: { approvedBy: 'b' },
    });
    expect(stored[6].payload).toMatchObject({
      action: 'create',
      tracker: 'jira',
      ticket: 'SEC-12',
      detail: { auth: '[REDACTED]' },
    });
    const recorded = stored[7].payload as { config: AppConfig; digest: string };
    expect(recorded.config.connectors[0].auth).toEqual({ token: '[REDACTED]' });
    expect(recorded.config.storage.database).toBe('postgres://audit:***@127.0.0.1:5432/audit');
    expect(recorded.config.evidence.signingKey).toBe(
      `ed25519:${CheckpointSigner.fromPem(SIGNING_KEY).keyId}`,
    );

    const file = join(dir, 'export.jsonl');
    await exportLedger(ds, file, { signer: CheckpointSigner.fromPem(SIGNING_KEY) });
    const everything = JSON.stringify(stored) + readFileSync(file, 'utf8');
    for (const leak of LEAKS) expect(everything).not.toContain(leak);
    expect(
      await verifyEvidence(
        { source: 'db' },
        { dataSource: ds, trustedKeys: [{ pem: SIGNING_KEY, from: 'test' }] },
      ),
    ).toMatchObject({
      ok: true,
      checkpoints: 1,
      unanchored: 0,
    });
  });

  it('records the config again only when it changed, and checkpoints only when something was added', async () => {
    const before = (await entries()).length;
    await new EvidenceRunListener(ledger, config(), redactor).onRunFinished('run-2', 'complete');
    expect(await entries()).toHaveLength(before);

    const changed = config({ environments: { production: ['prod*', 'live', 'emea-prod'] } });
    await new EvidenceRunListener(ledger, changed, redactor).onRunFinished('run-3', 'incomplete');
    const after = await entries();
    const configs = after.filter((e) => e.type === 'config');
    expect(configs).toHaveLength(2);
    expect((configs[1].payload as { previousDigest: string }).previousDigest).toBe(
      (configs[0].payload as { digest: string }).digest,
    );
    expect(after.at(-1)!.type).toBe('checkpoint_anchor');
    expect(
      (
        await verifyEvidence(
          { source: 'db' },
          { dataSource: ds, trustedKeys: [{ pem: SIGNING_KEY, from: 'test' }] },
        )
      ).checkpoints,
    ).toBe(2);
  });

  it('what a batch listener appended rolls back when the batch transaction fails after it', async () => {
    const before = (await entries()).length;
    const listener = new EvidenceBatchListener(ledger, redactor);
    await expect(
      runInTransaction(ds, async (tx) => {
        await listener.onBatch(tx, {
          runId: 'run-4',
          connector: 'gitlab',
          stream: 'deployments',
          pages: [{ method: 'GET', url: '/api/v4/x', status: 200, sha256: 'c'.repeat(64), bytes: 1 }],
          records: [{ kind: 'deployment', externalId: 'x', data: { n: 1 } as any }],
        });
        throw new Error('saving the cursor failed');
      }),
    ).rejects.toThrow('saving the cursor failed');
    expect(await entries()).toHaveLength(before);
    expect(
      (
        await verifyEvidence(
          { source: 'db' },
          { dataSource: ds, trustedKeys: [{ pem: SIGNING_KEY, from: 'test' }] },
        )
      ).ok,
    ).toBe(true);
  });
});
