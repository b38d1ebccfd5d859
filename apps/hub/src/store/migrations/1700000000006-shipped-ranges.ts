import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

/*
 * MRs shipped with deployments made outside the repository's system (Jenkins): `deployment_mr`
 * learns which connector its deployment belongs to (until now always its own), and
 * `shipped_range` remembers which commit range of the service's repository each such deployment
 * was resolved for. Column shapes in the conventions of the initial migration.
 */
const column = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type,
  isNullable: false,
  ...extra,
});
const varchar = (name: string, length: number, nullable = false) =>
  column(name, 'varchar', { length: String(length), isNullable: nullable });
const key = (name: string, length: number) =>
  column(name, 'varchar', { length: String(length), isPrimary: true });

const CONNECTOR = 100;
const EXTERNAL_ID = 512;

const shippedRange = (): Table =>
  new Table({
    name: 'shipped_range',
    columns: [
      key('deployment_connector', CONNECTOR),
      key('deployment_id', EXTERNAL_ID),
      varchar('repository_connector', CONNECTOR),
      varchar('repository', 512),
      varchar('from_sha', 64, true),
      varchar('to_sha', 64),
      varchar('resolved_at', 30),
    ],
  });

export class ShippedRanges1700000000006 implements MigrationInterface {
  name = 'ShippedRanges1700000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.dropIndex('deployment_mr', 'IDX_deployment_mr_deployment');
    await q.addColumn('deployment_mr', new TableColumn(varchar('deployment_connector', CONNECTOR, true)));
    await q.query('UPDATE deployment_mr SET deployment_connector = connector');
    await q.changeColumn(
      'deployment_mr',
      'deployment_connector',
      new TableColumn(varchar('deployment_connector', CONNECTOR)),
    );
    await q.createIndex(
      'deployment_mr',
      new TableIndex({
        name: 'IDX_deployment_mr_deployment',
        columnNames: ['deployment_connector', 'deployment_id'],
      }),
    );
    await q.createTable(shippedRange(), true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('shipped_range', true);
    await q.dropIndex('deployment_mr', 'IDX_deployment_mr_deployment');
    await q.dropColumn('deployment_mr', 'deployment_connector');
    await q.createIndex(
      'deployment_mr',
      new TableIndex({ name: 'IDX_deployment_mr_deployment', columnNames: ['connector', 'deployment_id'] }),
    );
  }
}
