import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/*
 * Run liveness: `run.heartbeat_at` is written by the process that executes a run (the in-process
 * runner, or the CLI/API process waiting on a queued run), so a reaper can end a run whose process
 * died instead of waiting out the stale-run bound; `source_status.resume` keeps the record count and
 * problems as of the stream's last committed cursor, so a retried job counts each record once.
 */
export class RunLiveness1700000000010 implements MigrationInterface {
  name = 'RunLiveness1700000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'run',
      new TableColumn({ name: 'heartbeat_at', type: 'varchar', length: '30', isNullable: true }),
    );
    await q.addColumn('source_status', new TableColumn({ name: 'resume', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('source_status', 'resume');
    await q.dropColumn('run', 'heartbeat_at');
  }
}
