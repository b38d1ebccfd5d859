import type { DataSource } from 'typeorm';
import type { RunStatus } from '@audit-hub/domain';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { defaultConfig } from '../config/config.schema';
import { deployment, T0 } from '../controls/testing/control-fixtures';
import { RunEntity } from '../store/entities/run.entity';
import { RecordStore } from '../store/record.store';
import { EnvironmentClassifier } from './environment.classifier';
import { LinkService } from './link.service';

describe.each(DB_KINDS)('LinkService on %s: which deployments a run relinks', (kind) => {
  let ds: DataSource;
  let links: LinkService;
  let store: RecordStore;
  const env = new EnvironmentClassifier(['prod*']);
  let minute = 0;

  async function run(id: string, status: RunStatus): Promise<void> {
    await ds.getRepository(RunEntity).insert({
      id,
      trigger: 'cli',
      scheduleKey: null,
      startedAt: new Date(T0.getTime() + ++minute * 60_000).toISOString(),
      finishedAt: null,
      status,
      full: false,
      error: null,
      summary: null,
    });
  }

  const ingest = (runId: string, id: number, change: string) =>
    store.ingest([deployment(id, { variables: { CHANGE_ID: change } })], {
      connector: 'gitlab',
      runId,
      now: T0,
      isProduction: (e, t) => env.isProduction(e, t),
      serviceOf: () => 'pay',
    });

  const linked = async (id: number): Promise<string[]> =>
    (
      await ds.query(
        `SELECT change_number FROM link WHERE deployment_connector = 'gitlab' AND deployment_id = '${id}' ORDER BY 1`,
      )
    ).map((r: { change_number: string }) => r.change_number);

  beforeAll(async () => {
    ds = await testDataSource(kind);
    links = new LinkService(defaultConfig(), ds);
    store = new RecordStore(ds);
  });
  afterAll(() => dropTestDataSource(ds));

  it('links what a run stored, and what earlier runs stored but failed before linking', async () => {
    // Run 1 stores deployment 1 and links it; run 2 stores deployment 2 and fails before linking
    // (Redis lost, a crash); run 3 reads both again unchanged, so neither record is its own.
    await run('run-1', 'running');
    await ingest('run-1', 1, 'CHG0000001');
    expect(await links.relink('run-1')).toBe(1);
    await ds.getRepository(RunEntity).update({ id: 'run-1' }, { status: 'complete' });
    await run('run-2', 'running');
    await ingest('run-2', 2, 'CHG0000002');
    await ds.getRepository(RunEntity).update({ id: 'run-2' }, { status: 'failed' });
    await run('run-3', 'running');
    await ingest('run-3', 2, 'CHG0000002');
    expect(await linked(2)).toEqual([]);

    expect(await links.relink('run-3')).toBe(1);
    expect(await linked(1)).toEqual(['CHG0000001']);
    expect(await linked(2)).toEqual(['CHG0000002']);
    await ds.getRepository(RunEntity).update({ id: 'run-3' }, { status: 'incomplete' });

    // Once a run has linked, what runs before it stored is not relinked again.
    await run('run-4', 'running');
    expect(await links.relink('run-4')).toBe(0);
  });
});
