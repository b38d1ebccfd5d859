import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/*
 * Unreadable fields (records.md): a deployment whose pipeline variables the token may not read
 * (GitLab answers 403 below the Maintainer role) is stored with `unread_fields` naming them, so a
 * control decides it from its other link sources and leaves it undecided only when they are silent,
 * instead of reading "no variables" as "no change number". `control_result.undecided` lists the
 * subjects each control could not decide, so a partial control names every one of them.
 */
export class UnreadFields1700000000012 implements MigrationInterface {
  name = 'UnreadFields1700000000012';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'deployment',
      new TableColumn({ name: 'unread_fields', type: 'text', isNullable: true }),
    );
    await q.addColumn(
      'control_result',
      new TableColumn({ name: 'undecided', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('control_result', 'undecided');
    await q.dropColumn('deployment', 'unread_fields');
  }
}
