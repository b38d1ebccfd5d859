/** bulkWrite on both databases: inserts, upserts that update only the named columns, nulls and JSON text kept. */
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { bulkWrite } from './bulk-write';

describe.each(DB_KINDS)('bulkWrite on %s', (kind) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await testDataSource(kind);
  });
  afterAll(() => dropTestDataSource(ds));

  it('inserts many rows in statements of a given size, and upserts only the columns named', async () => {
    const cols = ['connector', 'stream', 'cursor', 'updated_at', 'last_success_at', 'last_run_id'];
    const rows = Array.from({ length: 5 }, (_, i) => ({
      connector: 'c',
      stream: `s${i}`,
      cursor: JSON.stringify({ page: i, note: 'it\'s "quoted"' }),
      updated_at: '2026-11-02T00:00:00.000Z',
      last_success_at: null,
      last_run_id: 'run-1',
    }));
    await bulkWrite(ds, 'stream_cursor', cols, rows, { rowsPerStatement: 2 });
    await bulkWrite(
      ds,
      'stream_cursor',
      cols,
      rows.slice(0, 2).map((r) => ({ ...r, cursor: '"new"', last_run_id: 'run-2', updated_at: 'later' })),
      { upsert: { conflict: ['connector', 'stream'], update: ['cursor', 'last_run_id'] } },
    );
    const stored = await ds.query(
      'SELECT stream, cursor, updated_at, last_success_at, last_run_id FROM stream_cursor ORDER BY stream',
    );
    expect(stored).toEqual([
      {
        stream: 's0',
        cursor: '"new"',
        updated_at: '2026-11-02T00:00:00.000Z',
        last_success_at: null,
        last_run_id: 'run-2',
      },
      {
        stream: 's1',
        cursor: '"new"',
        updated_at: '2026-11-02T00:00:00.000Z',
        last_success_at: null,
        last_run_id: 'run-2',
      },
      ...rows.slice(2).map((r) => ({
        stream: r.stream,
        cursor: r.cursor,
        updated_at: r.updated_at,
        last_success_at: null,
        last_run_id: 'run-1',
      })),
    ]);
  });

  it('refuses a name that is not a plain identifier', async () => {
    await expect(bulkWrite(ds, 'stream_cursor', ['connector; DROP TABLE x'], [{}])).rejects.toThrow(
      /not a plain column or table name/,
    );
  });
});
