import { revisionAt, revisionCountAt } from '../estate/estate.clock';
import { EstateIndex } from '../estate/estate.index';
import type { Change, ChangeState, Estate, Instant } from '../estate/estate.model';
import { stableHexId } from '../estate/prng.util';

/**
 * The estate as ServiceNow tables, as they stand at `now`. Values are what the Table API stores:
 * every scalar a string (`"true"`, `"-4"`, `""`), times `YYYY-MM-DD HH:MM:SS` in UTC, references a
 * sys_id that the renderer turns into `{link, value}` or a bare string.
 */

export interface SnRef {
  /** The table the reference link points at (ServiceNow links `sysapproval` to `task`). */
  table: string;
  sysId: string;
}

export type SnValue = string | SnRef;

export interface SnRow {
  sysId: string;
  fields: Record<string, SnValue>;
  /** Hidden by ACL from the audit account; still counted and still taking a slot in a page. */
  hidden: boolean;
}

export interface SnTable {
  name: string;
  rows: SnRow[];
  bySysId: Map<string, SnRow>;
  /** The field shown as a reference's display value. */
  displayField: string;
  numericFields: Set<string>;
  choices: Record<string, Record<string, string>>;
}

export const TABLES = [
  'change_request',
  'sysapproval_approver',
  'sys_user',
  'sys_user_group',
  'sys_user_grmember',
  'cmdb_ci_appl',
] as const;
export type TableName = (typeof TABLES)[number];

/** Reference targets that live in another table of the fake (a change is a `task`, an app a `cmdb_ci`). */
const TABLE_ALIASES: Record<string, TableName> = { task: 'change_request', cmdb_ci: 'cmdb_ci_appl' };

export const CHANGE_STATE_CODES: Record<ChangeState, string> = {
  new: '-5',
  assess: '-4',
  authorize: '-3',
  scheduled: '-2',
  implement: '-1',
  review: '0',
  closed: '3',
  canceled: '4',
};

const CHANGE_STATE_LABELS: Record<string, string> = {
  '-5': 'New',
  '-4': 'Assess',
  '-3': 'Authorize',
  '-2': 'Scheduled',
  '-1': 'Implement',
  '0': 'Review',
  '3': 'Closed',
  '4': 'Canceled',
};

const APPROVAL_LABELS: Record<string, string> = {
  'not requested': 'Not Yet Requested',
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
};

const RISK_CODES = { high: '2', moderate: '3', low: '4' } as const;

export function snTime(instant: Instant | null | undefined): string {
  return instant ? instant.slice(0, 19).replace('T', ' ') : '';
}

const GLOBAL_DOMAIN: SnRef = { table: 'sys_user_group', sysId: 'global' };

/**
 * Rows of each restricted block (SnDatabaseOptions.restricted): more than the connector's default
 * page (1 000), so that a whole window of them comes back empty while readable rows follow.
 */
export const RESTRICTED_BLOCK = 1_500;

export interface SnDatabaseOptions {
  /**
   * Tables that also hold a block of RESTRICTED_BLOCK rows no role of the audit account may read
   * (a row-level read ACL with a condition): counted by the instance and taking their slots in
   * every window, never returned. They are not part of the estate, and sit one second before the
   * table's oldest readable row, so the first window of an ordered read is empty.
   */
  restricted?: readonly TableName[];
}

export class SnDatabase {
  private readonly built = new Map<TableName, SnTable>();
  private readonly index: EstateIndex;

  constructor(
    private readonly estate: Estate,
    private readonly now: Instant,
    private readonly options: SnDatabaseOptions = {},
  ) {
    this.index = EstateIndex.of(estate);
  }

  table(name: string): SnTable | undefined {
    const resolved = (TABLE_ALIASES[name] ?? name) as TableName;
    if (!TABLES.includes(resolved)) return undefined;
    let table = this.built.get(resolved);
    if (!table) {
      table = this.build(resolved);
      this.built.set(resolved, table);
    }
    return table;
  }

  lookup(ref: SnRef): SnRow | undefined {
    return this.table(ref.table)?.bySysId.get(ref.sysId);
  }

  sysId(table: string, key: string): string {
    return stableHexId(this.estate.seed, table, key);
  }

  private userRef(userName: string | null | undefined): SnValue {
    return userName ? { table: 'sys_user', sysId: this.sysId('sys_user', userName) } : '';
  }

  private groupRef(name: string | null | undefined): SnValue {
    return name ? { table: 'sys_user_group', sysId: this.sysId('sys_user_group', name) } : '';
  }

  private build(name: TableName): SnTable {
    const rows = this.rows(name);
    if (this.options.restricted?.includes(name)) rows.push(...this.restrictedRows(name, rows));
    return {
      name,
      rows,
      bySysId: new Map(rows.map((r) => [r.sysId, r])),
      displayField: name === 'change_request' ? 'number' : name === 'sys_user_grmember' ? 'sys_id' : 'name',
      numericFields: new Set(
        name === 'change_request'
          ? [
              'state',
              'sys_mod_count',
              'priority',
              'impact',
              'urgency',
              'risk',
              'reassignment_count',
              'escalation',
            ]
          : ['sys_mod_count', 'install_status', 'operational_status', 'iteration', 'failed_attempts'],
      ),
      choices:
        name === 'change_request'
          ? {
              state: CHANGE_STATE_LABELS,
              approval: APPROVAL_LABELS,
              type: { normal: 'Normal', standard: 'Standard', emergency: 'Emergency' },
              risk: { '2': 'High', '3': 'Moderate', '4': 'Low' },
            }
          : name === 'sysapproval_approver'
            ? {
                state: {
                  requested: 'Requested',
                  approved: 'Approved',
                  rejected: 'Rejected',
                  cancelled: 'Cancelled',
                  not_required: 'No Longer Required',
                },
              }
            : name === 'cmdb_ci_appl'
              ? { install_status: { '1': 'Installed', '7': 'Retired' } }
              : {},
    };
  }

  /** The restricted block of a table, shaped like its readable rows (see SnDatabaseOptions). */
  private restrictedRows(name: TableName, readable: SnRow[]): SnRow[] {
    const template = readable.find((r) => !r.hidden);
    if (!template) return [];
    const oldest = readable
      .map((r) => r.fields.sys_updated_on)
      .filter((t): t is string => typeof t === 'string' && t !== '')
      .sort()[0];
    const at = snTime(new Date(Date.parse(`${oldest.replace(' ', 'T')}Z`) - 1000).toISOString());
    return Array.from({ length: RESTRICTED_BLOCK }, (_, n) => {
      const sysId = this.sysId(name, `restricted-${n}`);
      const fields: Record<string, SnValue> = {
        ...template.fields,
        sys_id: sysId,
        sys_updated_on: at,
        sys_created_on: at,
      };
      if (name === 'change_request') fields.number = `CHG9${String(n).padStart(6, '0')}`;
      if (name === 'sys_user') fields.user_name = `restricted.${n}`;
      return { sysId, fields, hidden: true };
    });
  }

  private rows(name: TableName): SnRow[] {
    switch (name) {
      case 'change_request':
        return this.estate.changes.filter((c) => c.createdAt <= this.now).map((c) => this.changeRow(c));
      case 'sysapproval_approver':
        return this.approvalRows();
      case 'sys_user':
        return this.userRows();
      case 'sys_user_group':
        return this.groupRows();
      case 'sys_user_grmember':
        return this.membershipRows();
      case 'cmdb_ci_appl':
        return this.configItemRows();
    }
  }

  private changeRow(c: Change): SnRow {
    const r = revisionAt(c.revisions, this.now)!;
    const sysId = this.sysId('change_request', c.number);
    const ci = c.service ? this.index.configItemsByService.get(c.service) : undefined;
    const state = CHANGE_STATE_CODES[r.state];
    const fields: Record<string, SnValue> = {
      active: r.state === 'closed' || r.state === 'canceled' ? 'false' : 'true',
      activity_due: '',
      additional_assignee_list: '',
      approval: r.approval === 'not_requested' ? 'not requested' : r.approval,
      approval_history: '',
      approval_set: snTime(r.approvalSetAt),
      assigned_to: this.userRef(c.assignedTo),
      assignment_group: this.groupRef(c.assignmentGroup),
      backout_plan: 'Redeploy the previous version through the pipeline.',
      business_duration: '',
      business_service: '',
      cab_date: '',
      cab_delegate: '',
      cab_recommendation: '',
      cab_required: c.type === 'normal' ? 'true' : 'false',
      calendar_duration: '',
      category: c.category,
      change_plan: '',
      chg_model: '',
      ci_class: ci ? 'cmdb_ci_appl' : '',
      close_code: r.closeCode ?? '',
      close_notes: r.closeNotes,
      closed_at: snTime(r.closedAt),
      closed_by: this.userRef(r.closedBy),
      cmdb_ci: ci ? { table: 'cmdb_ci', sysId: this.sysId('cmdb_ci_appl', ci.key) } : '',
      comments: '',
      comments_and_work_notes: '',
      company: '',
      conflict_last_run: '',
      conflict_status: 'Not Run',
      contact_type: '',
      contract: '',
      correlation_display: '',
      correlation_id: '',
      delivery_plan: '',
      delivery_task: '',
      description: c.description,
      due_date: '',
      end_date: snTime(c.plannedEnd),
      escalation: '0',
      expected_start: '',
      follow_up: '',
      group_list: '',
      impact: c.risk === 'high' ? '2' : '3',
      implementation_plan: 'Run the deployment pipeline; verify health checks.',
      is_bulk: 'false',
      justification: '',
      knowledge: 'false',
      location: '',
      made_sla: 'true',
      number: c.number,
      on_hold: 'false',
      on_hold_reason: '',
      on_hold_task: '',
      opened_at: snTime(c.createdAt),
      opened_by: this.userRef(c.createdBy),
      order: '',
      outside_maintenance_schedule: 'false',
      parent: '',
      phase: 'requested',
      phase_state: 'open',
      priority: c.type === 'emergency' ? '2' : '4',
      production_system: 'false',
      proposed_change: '',
      reason: '',
      reassignment_count: '0',
      rejection_goto: '',
      requested_by: this.userRef(c.requestedBy),
      requested_by_date: '',
      review_comments: '',
      review_date: '',
      review_status: '',
      risk: RISK_CODES[c.risk],
      risk_impact_analysis: '',
      risk_value: '',
      route_reason: '',
      scope: '3',
      service_offering: '',
      short_description: c.shortDescription,
      skills: '',
      sla_due: '',
      start_date: snTime(c.plannedStart),
      state,
      std_change_producer_version: '',
      sys_class_name: 'change_request',
      sys_created_by: c.createdBy,
      sys_created_on: snTime(c.createdAt),
      sys_domain: GLOBAL_DOMAIN,
      sys_domain_path: '/',
      sys_id: sysId,
      sys_mod_count: String(revisionCountAt(c.revisions, this.now) - 1),
      sys_tags: '',
      sys_updated_by: r.by,
      sys_updated_on: snTime(r.at),
      task_effective_number: c.number,
      test_plan: 'Smoke tests and dashboards checked after deployment.',
      time_worked: '',
      type: c.type,
      unauthorized: 'false',
      universal_request: '',
      upon_approval: 'proceed',
      upon_reject: 'cancel',
      urgency: '3',
      user_input: '',
      variables: '',
      watch_list: '',
      wf_activity: '',
      work_end: snTime(r.workEnd),
      work_notes: '',
      work_notes_list: '',
      work_start: snTime(r.workStart),
    };
    return { sysId, fields, hidden: c.confidential };
  }

  private approvalRows(): SnRow[] {
    const rows: SnRow[] = [];
    for (const a of this.estate.changeApprovals) {
      if (a.createdAt > this.now) continue;
      const change = this.index.changesByNumber.get(a.change);
      if (!change || change.createdAt > this.now) continue;
      const r = revisionAt(a.revisions, this.now)!;
      const sysId = this.sysId('sysapproval_approver', a.key);
      const changeId = this.sysId('change_request', a.change);
      rows.push({
        sysId,
        hidden: change.confidential,
        fields: {
          approval_column: 'approval',
          approval_journal_column: 'approval_history',
          approval_source: '',
          approver: this.userRef(a.approver),
          comments: '',
          document_id: { table: 'change_request', sysId: changeId },
          due_date: '',
          expected_start: '',
          group: '',
          iteration: '1',
          order: '',
          source_table: 'change_request',
          state: r.state,
          sys_created_by: 'system',
          sys_created_on: snTime(a.createdAt),
          sys_domain: GLOBAL_DOMAIN,
          sys_id: sysId,
          sys_mod_count: String(revisionCountAt(a.revisions, this.now) - 1),
          sys_tags: '',
          sys_updated_by: r.state === 'requested' ? 'system' : a.approver,
          sys_updated_on: snTime(r.at),
          sysapproval: { table: 'task', sysId: changeId },
          wf_activity: '',
        },
      });
    }
    return rows;
  }

  private userRows(): SnRow[] {
    return this.estate.people
      .filter((p) => p.createdAt <= this.now)
      .map((p) => {
        const left = p.leftAt !== undefined && p.leftAt <= this.now;
        const sysId = this.sysId('sys_user', p.userName);
        const service = p.roles.includes('service-account');
        return {
          sysId,
          hidden: false,
          fields: {
            active: left ? 'false' : 'true',
            calendar_integration: '1',
            company: '',
            department: '',
            email: p.email,
            employee_number: service ? '' : `E${String(p.id).padStart(5, '0')}`,
            failed_attempts: '0',
            first_name: p.firstName,
            internal_integration_user: service ? 'true' : 'false',
            last_login_time: left || service ? '' : snTime(this.now),
            last_name: p.lastName,
            location: '',
            locked_out: left ? 'true' : 'false',
            manager: '',
            mobile_phone: '',
            name: p.name,
            notification: '2',
            phone: '',
            source: '',
            sys_class_name: 'sys_user',
            sys_created_by: 'admin',
            sys_created_on: snTime(p.createdAt),
            sys_domain: GLOBAL_DOMAIN,
            sys_domain_path: '/',
            sys_id: sysId,
            sys_mod_count: left ? '1' : '0',
            sys_tags: '',
            sys_updated_by: 'admin',
            sys_updated_on: snTime(left ? p.leftAt : p.createdAt),
            time_zone: '',
            title: p.title,
            user_name: p.userName,
            vip: 'false',
            web_service_access_only: service ? 'true' : 'false',
          },
        };
      });
  }

  private groupRows(): SnRow[] {
    return this.estate.groups
      .filter((g) => g.createdAt <= this.now)
      .map((g) => {
        const sysId = this.sysId('sys_user_group', g.name);
        return {
          sysId,
          hidden: false,
          fields: {
            active: 'true',
            cost_center: '',
            default_assignee: '',
            description: g.description,
            email: '',
            exclude_manager: 'false',
            include_members: 'false',
            manager: '',
            name: g.name,
            parent: '',
            roles: '',
            source: '',
            sys_created_by: 'admin',
            sys_created_on: snTime(g.createdAt),
            sys_id: sysId,
            sys_mod_count: '0',
            sys_tags: '',
            sys_updated_by: 'admin',
            sys_updated_on: snTime(g.createdAt),
            type: '',
          },
        };
      });
  }

  private membershipRows(): SnRow[] {
    const rows: SnRow[] = [];
    for (const g of this.estate.groups) {
      for (const member of g.members) {
        const person = this.index.peopleByUserName.get(member);
        if (!person) continue;
        const createdAt = person.createdAt > g.createdAt ? person.createdAt : g.createdAt;
        if (createdAt > this.now) continue;
        const sysId = this.sysId('sys_user_grmember', `${g.name}/${member}`);
        rows.push({
          sysId,
          hidden: false,
          fields: {
            group: this.groupRef(g.name),
            sys_created_by: 'admin',
            sys_created_on: snTime(createdAt),
            sys_id: sysId,
            sys_mod_count: '0',
            sys_tags: '',
            sys_updated_by: 'admin',
            sys_updated_on: snTime(createdAt),
            user: this.userRef(member),
          },
        });
      }
    }
    return rows;
  }

  private configItemRows(): SnRow[] {
    return this.estate.configItems
      .filter((ci) => ci.createdAt <= this.now)
      .map((ci) => {
        const sysId = this.sysId('cmdb_ci_appl', ci.key);
        const version = revisionAt(ci.versions, this.now)!;
        return {
          sysId,
          hidden: false,
          fields: {
            asset_tag: '',
            business_criticality: [
              '1 - most critical',
              '2 - somewhat critical',
              '3 - less critical',
              '4 - not critical',
            ][ci.criticality - 1],
            category: '',
            company: '',
            install_status: ci.installStatus === 'installed' ? '1' : '7',
            name: ci.name,
            operational_status: '1',
            owned_by: '',
            short_description: `${ci.name} application`,
            support_group: this.groupRef(ci.supportGroup),
            sys_class_name: 'cmdb_ci_appl',
            sys_created_by: 'discovery',
            sys_created_on: snTime(ci.createdAt),
            sys_id: sysId,
            sys_mod_count: String(revisionCountAt(ci.versions, this.now) - 1),
            sys_tags: '',
            sys_updated_by: 'discovery',
            sys_updated_on: snTime(version.at),
            used_for: ci.environment,
            version: version.version,
          },
        };
      });
  }
}
