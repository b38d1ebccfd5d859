import { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { StreamCursorEntity } from './entities/stream-cursor.entity';
import { recordStreamSuccess } from './stream-success.store';

describe.each(DB_KINDS)('recordStreamSuccess (%s)', (kind) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await testDataSource(kind);
  });
  afterAll(() => dropTestDataSource(ds));

  it('records the success of a stream that keeps no cursor (a snapshot) on a row of its own', async () => {
    await recordStreamSuccess(ds.manager, 'vault', 'entitlements', '2026-11-02T00:00:00.000Z');
    const row = await ds.getRepository(StreamCursorEntity).findOneByOrFail({
      connector: 'vault',
      stream: 'entitlements',
    });
    expect(row).toMatchObject({ cursor: null, lastSuccessAt: '2026-11-02T00:00:00.000Z', lastRunId: null });
    await recordStreamSuccess(ds.manager, 'vault', 'entitlements', '2026-11-03T00:00:00.000Z');
    expect(
      (
        await ds
          .getRepository(StreamCursorEntity)
          .findOneByOrFail({ connector: 'vault', stream: 'entitlements' })
      ).lastSuccessAt,
    ).toBe('2026-11-03T00:00:00.000Z');
  });

  it('keeps the cursor of an incremental stream as its batches committed it', async () => {
    await ds.getRepository(StreamCursorEntity).save({
      connector: 'gitlab',
      stream: 'deployments',
      cursor: { updatedAfter: '2026-11-01T23:00:00Z' },
      updatedAt: '2026-11-02T00:00:00.000Z',
      lastSuccessAt: null,
      lastRunId: 'r1',
    });
    await recordStreamSuccess(ds.manager, 'gitlab', 'deployments', '2026-11-02T00:00:00.000Z');
    expect(
      await ds
        .getRepository(StreamCursorEntity)
        .findOneByOrFail({ connector: 'gitlab', stream: 'deployments' }),
    ).toMatchObject({
      cursor: { updatedAfter: '2026-11-01T23:00:00Z' },
      lastSuccessAt: '2026-11-02T00:00:00.000Z',
      lastRunId: 'r1',
    });
  });
});
