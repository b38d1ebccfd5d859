import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex, TableUnique } from 'typeorm';

/*
 * Column shapes, frozen with this migration (later migrations must not change what it creates).
 * The same schema-builder calls produce the DDL on PostgreSQL and SQLite: instants are
 * ISO-8601 UTC strings (varchar(30)) and JSON is text, so SQL behaves the same on both.
 */
const column = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type,
  isNullable: false,
  ...extra,
});
const varchar = (name: string, length: number, nullable = false) =>
  column(name, 'varchar', { length: String(length), isNullable: nullable });
const instant = (name: string, nullable = false) => varchar(name, 30, nullable);
const text = (name: string, nullable = false) => column(name, 'text', { isNullable: nullable });
const json = text;
const bool = (name: string) => column(name, 'boolean');
const int = (name: string, nullable = false) => column(name, 'integer', { isNullable: nullable });
const key = (name: string, length: number) =>
  column(name, 'varchar', { length: String(length), isPrimary: true });
const serial = (name: string) =>
  column(name, 'integer', { isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
const index = (name: string, columnNames: string[], extra: { isUnique?: boolean; where?: string } = {}) =>
  new TableIndex({ name, columnNames, ...extra });

const CONNECTOR = 100;
const EXTERNAL_ID = 512;
const RUN_ID = 36;

/** Projection tables share their key and bookkeeping columns. */
const projection = (name: string, columns: TableColumnOptions[], indices: TableIndex[] = []) =>
  new Table({
    name,
    columns: [
      key('connector', CONNECTOR),
      key('external_id', EXTERNAL_ID),
      int('record_id'),
      ...columns,
      bool('deleted'),
    ],
    indices,
  });

/** Built afresh for every run: the schema builder annotates the Table objects it is given. */
const tables = (): Table[] => [
  new Table({
    name: 'record',
    columns: [
      serial('id'),
      varchar('connector', CONNECTOR),
      varchar('kind', 32),
      varchar('external_id', EXTERNAL_ID),
      varchar('content_hash', 64),
      json('data'),
      json('raw', true),
      instant('first_seen_at'),
      instant('last_seen_at'),
      instant('valid_from'),
      instant('valid_to', true),
      instant('deleted_at', true),
      varchar('run_id', RUN_ID),
    ],
    indices: [
      // At most one current version per natural key, whatever writers race.
      index('UQ_record_current', ['connector', 'kind', 'external_id'], {
        isUnique: true,
        where: 'valid_to IS NULL',
      }),
      index('IDX_record_history', ['connector', 'kind', 'external_id', 'valid_from']),
      index('IDX_record_as_of', ['kind', 'valid_from', 'valid_to']),
    ],
  }),
  projection(
    'deployment',
    [
      varchar('project', 512),
      varchar('service', 255, true),
      varchar('environment', 255),
      varchar('tier', 20, true),
      bool('is_production'),
      varchar('status', 20),
      instant('started_at'),
      instant('finished_at', true),
      varchar('commit_sha', 64),
      text('commit_message', true),
      varchar('ref', 512),
      bool('is_tag'),
      varchar('version', 255, true),
      varchar('triggered_by', 255, true),
      bool('via_pipeline'),
      varchar('pipeline_id', 64, true),
      varchar('pipeline_source', 64, true),
      varchar('job_name', 512, true),
      json('variables'),
      json('approvals', true),
      json('test_report', true),
      json('artifacts'),
      json('causes', true),
    ],
    [
      index('IDX_deployment_production', ['is_production', 'status', 'started_at']),
      index('IDX_deployment_service', ['service', 'environment', 'started_at']),
      index('IDX_deployment_commit', ['commit_sha']),
    ],
  ),
  new Table({
    name: 'change_request',
    columns: [
      key('connector', CONNECTOR),
      key('number', 64),
      int('record_id'),
      varchar('sys_id', 64),
      varchar('type', 20),
      varchar('state', 20),
      varchar('approval', 20),
      instant('approval_set_at', true),
      instant('planned_start', true),
      instant('planned_end', true),
      varchar('requested_by', 255, true),
      varchar('assigned_to', 255, true),
      varchar('ci_sys_id', 64, true),
      varchar('ci_name', 255, true),
      instant('closed_at', true),
      varchar('close_code', 100, true),
      text('short_description'),
      text('description'),
      bool('deleted'),
    ],
    indices: [index('IDX_change_request_number', ['number'])],
  }),
  projection(
    'change_approval',
    [
      varchar('change_number', 64),
      varchar('approver', 255),
      varchar('state', 20),
      instant('decided_at', true),
    ],
    [index('IDX_change_approval_change', ['change_number'])],
  ),
  projection(
    'merge_request',
    [
      varchar('project', 512),
      varchar('service', 255, true),
      int('iid'),
      text('title'),
      text('description'),
      varchar('author', 255),
      varchar('merged_by', 255, true),
      instant('merged_at', true),
      varchar('merge_commit_sha', 64, true),
      varchar('squash_commit_sha', 64, true),
      varchar('target_branch', 512),
      json('approved_by', true),
      int('approvals_required', true),
      int('approvals_left', true),
      json('commit_shas'),
    ],
    [index('IDX_merge_request_merge_commit', ['merge_commit_sha'])],
  ),
  projection(
    'deployment_mr',
    [varchar('deployment_id', EXTERNAL_ID), varchar('merge_request_id', EXTERNAL_ID)],
    [
      index('IDX_deployment_mr_deployment', ['connector', 'deployment_id']),
      index('IDX_deployment_mr_merge_request', ['connector', 'merge_request_id']),
    ],
  ),
  projection(
    'git_commit',
    [
      varchar('project', 512),
      varchar('sha', 64),
      text('title'),
      text('message'),
      varchar('author_name', 255),
      varchar('author_email', 320),
      instant('committed_at'),
      varchar('signature', 20),
    ],
    [index('IDX_git_commit_sha', ['sha'])],
  ),
  projection(
    'identity',
    [varchar('user_name', 255), varchar('email', 320, true), varchar('name', 255), bool('active')],
    [index('IDX_identity_user_name', ['user_name']), index('IDX_identity_email', ['email'])],
  ),
  new Table({
    name: 'link',
    columns: [
      serial('id'),
      varchar('deployment_connector', CONNECTOR),
      varchar('deployment_id', EXTERNAL_ID),
      varchar('change_number', 64),
      varchar('found_in', 20),
      varchar('source_ref', 512, true),
    ],
    uniques: [
      new TableUnique({
        name: 'UQ_link',
        columnNames: ['deployment_connector', 'deployment_id', 'change_number', 'found_in'],
      }),
    ],
    indices: [index('IDX_link_change', ['change_number'])],
  }),
  new Table({
    name: 'run',
    columns: [
      key('id', RUN_ID),
      varchar('trigger', 20),
      varchar('schedule_key', 255, true),
      instant('started_at'),
      instant('finished_at', true),
      varchar('status', 20),
      // `full` is a reserved word in PostgreSQL.
      bool('full_resync'),
      text('error', true),
      json('summary', true),
    ],
    indices: [index('IDX_run_started', ['started_at'])],
  }),
  new Table({
    name: 'source_status',
    columns: [
      key('run_id', RUN_ID),
      key('connector', CONNECTOR),
      key('stream', 100),
      varchar('status', 20),
      int('records'),
      text('error', true),
      json('problems'),
      json('kinds'),
      instant('started_at'),
      instant('finished_at', true),
    ],
    indices: [index('IDX_source_status_stream', ['connector', 'stream', 'started_at'])],
  }),
  new Table({
    name: 'stream_cursor',
    columns: [
      key('connector', CONNECTOR),
      key('stream', 100),
      json('cursor', true),
      instant('updated_at'),
      instant('last_success_at', true),
      varchar('last_run_id', RUN_ID, true),
    ],
  }),
  new Table({
    name: 'finding',
    columns: [
      key('key', 700),
      varchar('control_id', 32),
      varchar('subject_type', 20),
      varchar('subject_ref', 660),
      varchar('service', 255, true),
      varchar('environment', 255, true),
      varchar('team', 255, true),
      varchar('severity', 10),
      varchar('status', 10),
      text('reason'),
      json('related'),
      json('frameworks'),
      instant('first_seen_at'),
      instant('last_seen_at'),
      instant('resolved_at', true),
      varchar('resolved_by_run', RUN_ID, true),
      varchar('last_run_id', RUN_ID),
      json('exception', true),
      json('ticket', true),
    ],
    indices: [
      index('IDX_finding_status', ['status']),
      index('IDX_finding_control', ['control_id']),
      index('IDX_finding_service', ['service']),
      index('IDX_finding_last_run', ['last_run_id']),
    ],
  }),
  new Table({
    name: 'finding_event',
    columns: [
      serial('id'),
      varchar('finding_key', 700),
      varchar('run_id', RUN_ID),
      varchar('from_status', 10, true),
      varchar('to_status', 10),
      instant('at'),
      text('reason', true),
      json('input', true),
    ],
    indices: [
      index('IDX_finding_event_finding', ['finding_key', 'at']),
      index('IDX_finding_event_run', ['run_id']),
    ],
  }),
  new Table({
    name: 'control_result',
    columns: [
      key('run_id', RUN_ID),
      key('control_id', 32),
      varchar('status', 20),
      text('reason', true),
      int('open'),
      int('flagged'),
    ],
  }),
  new Table({
    name: 'schedule_tick',
    columns: [key('schedule', 255), key('tick', 30), varchar('run_id', RUN_ID)],
  }),
];

/** The hub's first schema: normalized records with history, projections, runs and findings. */
export class Initial1700000000000 implements MigrationInterface {
  name = 'Initial1700000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) {
      await queryRunner.createTable(table, false, false, true);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) {
      await queryRunner.dropTable(table.name, false, false, true);
    }
  }
}
