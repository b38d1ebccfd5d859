/**
 * RM-CHG-001 and RM-CHG-002 over the store, with the finding lifecycle, on SQLite and PostgreSQL:
 * each violation beside its nearest compliant case, then resolve, reopen, exceptions and partial
 * scope.
 */
import type { DataSource } from 'typeorm';
import type { DeploymentRecord, NormalizedRecord, ChangeRecord } from '@audit-hub/domain';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { RecordStore } from '../store/record.store';
import { LinkService } from '../linking/link.service';
import { EnvironmentClassifier } from '../linking/environment.classifier';
import { FindingService } from '../findings/finding.service';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { defaultConfig } from '../config/config.schema';
import type { AppConfig } from '../config/config.schema';
import { UnlinkedDeploymentControl } from './unlinked-deployment.control';
import { UnapprovedChangeControl } from './unapproved-change.control';
import type { Control } from './control';
import { outcomeOf } from './control';
import type { EffectiveControl } from './control.registry';

const T0 = new Date('2026-11-02T14:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

function deployment(id: number, patch: Partial<DeploymentRecord> = {}): NormalizedRecord {
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
      commitSha: `sha${id}`,
      commitMessage: 'Routine change',
      ref: 'main',
      isTag: false,
      viaPipeline: true,
      variables: {},
      approvals: [],
      artifacts: [],
      ...patch,
    },
  };
}

function change(number: string, patch: Partial<ChangeRecord> = {}): NormalizedRecord {
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
      shortDescription: 'Release',
      description: '',
      ...patch,
    },
  };
}

describe.each(DB_KINDS)('change controls on %s', (kind) => {
  let ds: DataSource;
  let store: RecordStore;
  let links: LinkService;
  let findings: FindingService;
  let config: AppConfig;
  const env = new EnvironmentClassifier(['prod*', 'production*', 'live']);
  let runNo = 0;

  const ingest = (connector: string, records: NormalizedRecord[], runId: string) =>
    store.ingest(records, {
      connector,
      runId,
      now: T0,
      isProduction: (e, t) => env.isProduction(e, t),
      serviceOf: () => 'pay',
    });

  const controls: Control[] = [new UnlinkedDeploymentControl(), new UnapprovedChangeControl()];
  const effective = (c: Control): EffectiveControl => ({
    definition: c.definition,
    control: c,
    enabled: true,
    severity: c.definition.severity,
    params: {},
  });

  async function evaluate(runId: string, blocked: string[] = []) {
    await links.relink(runId, true);
    const out: Record<string, string[]> = {};
    for (const c of controls) {
      const { flags } = outcomeOf(await c.evaluate({ db: ds, runId, now: T0, params: {}, config }));
      await findings.apply(runId, T0, effective(c), flags, {
        none: false,
        blockedConnectors: new Set(blocked),
      });
      out[c.definition.id] = flags.map((f) => f.subjectRef).sort();
    }
    return out;
  }

  const status = async (key: string) => (await ds.getRepository(FindingEntity).findOneBy({ key }))?.status;

  beforeAll(async () => {
    ds = await testDataSource(kind);
    store = new RecordStore(ds);
    config = {
      ...defaultConfig(),
      exceptions: [
        {
          control: 'RM-CHG-001',
          subject: 'gitlab:acme/pay#12',
          reason: 'Vendor hotfix tracked outside ServiceNow',
          requestedBy: 'ops@acme.com',
          approvedBy: 'ciso@acme.com',
          expires: '2026-12-31',
        },
      ],
    };
    links = new LinkService(config, ds);
    findings = new FindingService(config, ds);
    const run = `run-${++runNo}`;
    await ingest(
      'gitlab',
      [
        deployment(1, { variables: { CHANGE_ID: 'CHG0000001' } }), // linked via variable, approved in time
        deployment(2), // no reference anywhere
        deployment(3, { commitMessage: 'Fix CHG0000099' }), // references a change that does not exist
        deployment(4, { variables: { CHANGE_ID: 'CHG0000002' } }), // approved after start
        deployment(5, { variables: { CHANGE_ID: 'CHG0000003' } }), // standard, not requested
        deployment(6, { variables: { CHANGE_ID: 'CHG0000004' } }), // approved but still Assess
        deployment(7, { environment: 'staging', tier: 'staging' }), // not production
        deployment(8, { status: 'failed' }), // not successful
        deployment(9, { commitMessage: 'Fix CHG0000005' }), // canceled change
        deployment(10, { environment: 'prod-sandbox', tier: 'other' }), // tier wins over the name
        deployment(11, { variables: { CHANGE_ID: 'CHG0000006' }, startedAt: at(0) }), // approved exactly at start
        deployment(12), // unlinked, but an exception covers it
        deployment(13, { variables: { A: 'CHG0000001', B: 'CHG0000007' } }), // one good, one rejected
      ],
      run,
    );
    await ingest(
      'servicenow',
      [
        change('CHG0000001'),
        change('CHG0000002', { approvalSetAt: at(70) }),
        change('CHG0000003', { type: 'standard', approval: 'not_requested', approvalSetAt: undefined }),
        change('CHG0000004', { state: 'assess' }),
        change('CHG0000005', { state: 'canceled' }),
        change('CHG0000006', { approvalSetAt: at(0) }),
        change('CHG0000007', { approval: 'rejected', approvalSetAt: at(-30) }),
      ],
      run,
    );
  });

  afterAll(() => dropTestDataSource(ds));

  it('flags exactly the violations and not their near misses', async () => {
    const flagged = await evaluate('run-a');
    expect(flagged['RM-CHG-001']).toEqual(['gitlab:acme/pay#12', 'gitlab:acme/pay#2', 'gitlab:acme/pay#3']);
    expect(flagged['RM-CHG-002']).toEqual([
      'gitlab:acme/pay#13',
      'gitlab:acme/pay#4',
      'gitlab:acme/pay#6',
      'gitlab:acme/pay#9',
    ]);
  });

  it('writes reasons an auditor can read, and related changes', async () => {
    const f4 = await ds.getRepository(FindingEntity).findOneByOrFail({ key: 'RM-CHG-002|gitlab:acme/pay#4' });
    expect(f4.reason).toBe(
      'Deployed to production at 2026-11-02 14:00 UTC; CHG0000002 approved 2026-11-02 15:10 UTC, after it (normal change).',
    );
    expect(f4.related).toEqual([{ type: 'change', ref: 'servicenow:CHG0000002' }]);
    expect(f4.frameworks).toContain('SOX:ITGC-CM');
    const f3 = await ds.getRepository(FindingEntity).findOneByOrFail({ key: 'RM-CHG-001|gitlab:acme/pay#3' });
    expect(f3.reason).toMatch(/references CHG0000099, which does not exist/);
    const f13 = await ds
      .getRepository(FindingEntity)
      .findOneByOrFail({ key: 'RM-CHG-002|gitlab:acme/pay#13' });
    expect(f13.reason).toMatch(/CHG0000007 had approval "rejected"/);
    expect(f13.reason).not.toMatch(/CHG0000001/);
  });

  it('reports a covered finding as accepted, with the exception', async () => {
    const f = await ds.getRepository(FindingEntity).findOneByOrFail({ key: 'RM-CHG-001|gitlab:acme/pay#12' });
    expect(f.status).toBe('accepted');
    expect(f.exception).toMatchObject({ approvedBy: 'ciso@acme.com', expires: '2026-12-31' });
  });

  it('does not duplicate findings or events on a rerun over the same data', async () => {
    const before = await ds.getRepository(FindingEventEntity).count();
    await evaluate('run-b');
    expect(await ds.getRepository(FindingEntity).count()).toBe(7);
    expect(await ds.getRepository(FindingEventEntity).count()).toBe(before);
    expect(await status('RM-CHG-001|gitlab:acme/pay#2')).toBe('open');
  });

  it('keeps open findings of a blocked connector open, and resolves when fixed', async () => {
    await ingest('servicenow', [change('CHG0000099')], 'run-c');
    await evaluate('run-c', ['gitlab']);
    expect(await status('RM-CHG-001|gitlab:acme/pay#3')).toBe('open');
    await evaluate('run-d');
    const f3 = await ds.getRepository(FindingEntity).findOneByOrFail({ key: 'RM-CHG-001|gitlab:acme/pay#3' });
    expect(f3.status).toBe('resolved');
    expect(f3.resolvedByRun).toBe('run-d');
  });

  it('reopens a resolved finding when it comes back', async () => {
    await store.markMissingDeleted('servicenow', ['change'], new Date(T0.getTime() + 1), 'run-e', T0);
    await ingest(
      'servicenow',
      ['CHG0000001', 'CHG0000002', 'CHG0000004', 'CHG0000005', 'CHG0000006', 'CHG0000007'].map((n) =>
        change(
          n,
          n === 'CHG0000002'
            ? { approvalSetAt: at(70) }
            : n === 'CHG0000004'
              ? { state: 'assess' }
              : n === 'CHG0000005'
                ? { state: 'canceled' }
                : n === 'CHG0000007'
                  ? { approval: 'rejected', approvalSetAt: at(-30) }
                  : {},
        ),
      ),
      'run-e',
    );
    await evaluate('run-e');
    expect(await status('RM-CHG-001|gitlab:acme/pay#3')).toBe('reopened');
    const events = await ds.getRepository(FindingEventEntity).find({
      where: { findingKey: 'RM-CHG-001|gitlab:acme/pay#3' },
      order: { id: 'ASC' },
    });
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([
      [null, 'open'],
      ['open', 'resolved'],
      ['resolved', 'reopened'],
    ]);
  });
});
