/**
 * Deployments whose pipeline variables could not be read (`variables: null`, a GitLab token below
 * Maintainer): RM-CHG-001 decides them from their other link sources and leaves undecided only the
 * ones none of those link, and their version is unknown rather than their short SHA; on SQLite and
 * PostgreSQL.
 */
import type { DataSource } from 'typeorm';
import type { DeploymentRecord, NormalizedRecord } from '@audit-hub/domain';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { sqlQuery } from '../common/sql';
import { defaultConfig } from '../config/config.schema';
import { EnvironmentClassifier } from '../linking/environment.classifier';
import { LinkService } from '../linking/link.service';
import { RecordStore } from '../store/record.store';
import { DeploymentEntity } from '../store/entities/deployment.entity';
import { outcomeOf } from './control';
import { DEPLOYED_VERSION } from './inventory.queries';
import { UnlinkedDeploymentControl } from './unlinked-deployment.control';

const T0 = new Date('2026-11-02T14:00:00.000Z');

function deployment(id: number, patch: Partial<DeploymentRecord> = {}): NormalizedRecord {
  return {
    kind: 'deployment',
    externalId: String(id),
    data: {
      project: 'acme/pay',
      environment: 'production',
      tier: 'production',
      status: 'success',
      startedAt: T0.toISOString(),
      commitSha: `abcdef12345${id}`,
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

describe.each(DB_KINDS)('unreadable pipeline variables on %s', (kind) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await testDataSource(kind);
    const store = new RecordStore(ds);
    const env = new EnvironmentClassifier(['production']);
    const ctx = {
      runId: 'run-1',
      now: T0,
      isProduction: (e: string, t: string | null) => env.isProduction(e, t),
      serviceOf: () => 'pay',
    };
    await store.ingest(
      [
        deployment(1, { variables: null, commitMessage: 'Fix CHG0000001' }), // linked through its commit
        deployment(2, { variables: null }), // only its variables could have told
        deployment(3), // variables read, none names a change
        deployment(4, { variables: null, version: '2.4.0' }), // its version came from elsewhere (a tag)
      ],
      { ...ctx, connector: 'gitlab' },
    );
    await store.ingest(
      [
        {
          kind: 'change',
          externalId: 'CHG0000001',
          data: {
            number: 'CHG0000001',
            sysId: 'sys-1',
            type: 'normal',
            state: 'implement',
            approval: 'approved',
            shortDescription: 'Release',
            description: '',
          },
        },
      ],
      { ...ctx, connector: 'servicenow' },
    );
    await new LinkService(defaultConfig(), ds).relink('run-1', true);
  });

  afterAll(() => dropTestDataSource(ds));

  it('stores which fields could not be read', async () => {
    const rows = await ds.getRepository(DeploymentEntity).find({ order: { externalId: 'ASC' } });
    expect(rows.map((r) => [r.externalId, r.unreadFields])).toEqual([
      ['1', ['variables']],
      ['2', ['variables']],
      ['3', null],
      ['4', ['variables']],
    ]);
  });

  it('RM-CHG-001 passes a deployment linked elsewhere, flags one read whole, and leaves the rest undecided', async () => {
    const outcome = outcomeOf(
      await new UnlinkedDeploymentControl().evaluate({
        db: ds,
        runId: 'run-1',
        now: T0,
        params: {},
        config: defaultConfig(),
      }),
    );
    expect(outcome.flags.map((f) => f.subjectRef)).toEqual(['gitlab:acme/pay#3']);
    expect(outcome.undecided.map((u) => u.subjectRef).sort()).toEqual([
      'gitlab:acme/pay#2',
      'gitlab:acme/pay#4',
    ]);
    expect(outcome.undecided[0].why).toMatch(/pipeline variables could not be read/);
  });

  it('a deployment version is unknown, not its short SHA, when the variables could not be read', async () => {
    const rows = await sqlQuery<{ external_id: string; v: string | null }>(
      ds,
      `SELECT d.external_id, ${DEPLOYED_VERSION} AS v FROM deployment d ORDER BY d.external_id`,
    );
    expect(rows.map((r) => [r.external_id, r.v])).toEqual([
      ['1', null],
      ['2', null],
      ['3', 'abcdef12'],
      ['4', '2.4.0'],
    ]);
  });
});
