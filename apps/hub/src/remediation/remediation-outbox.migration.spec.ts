import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { RemediationOutbox1700000000003 } from '../store/migrations/1700000000003-remediation-outbox';
import { RemediationActionEntity } from './remediation-action.entity';
import { RemediationTicketEntity } from './remediation-ticket.entity';

describe.each(DB_KINDS)('remediation outbox migration on %s', (kind) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await testDataSource(kind);
  });
  afterAll(() => dropTestDataSource(ds));

  it('creates the tables the entities describe, and down() drops exactly them', async () => {
    expect(ds.getMetadata(RemediationActionEntity).tableName).toBe('remediation_action');
    expect(ds.getMetadata(RemediationTicketEntity).tableName).toBe('remediation_ticket');
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query).filter((q) => /remediation_/.test(q))).toEqual([]);

    const runner = ds.createQueryRunner();
    try {
      await new RemediationOutbox1700000000003().down(runner);
      expect(await runner.hasTable('remediation_action')).toBe(false);
      expect(await runner.hasTable('remediation_ticket')).toBe(false);
      expect(await runner.hasTable('finding')).toBe(true);
      await new RemediationOutbox1700000000003().up(runner);
      expect(await runner.hasTable('remediation_action')).toBe(true);
      const table = await runner.getTable('remediation_action');
      expect(table?.indices.map((i) => i.name).sort()).toEqual([
        'IDX_remediation_action_group',
        'IDX_remediation_action_status',
      ]);
    } finally {
      await runner.release();
    }
  });
});
