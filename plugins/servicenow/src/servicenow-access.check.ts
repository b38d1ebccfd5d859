/**
 * `connectors check` for ServiceNow: per table a stream reads, one `sysparm_limit=1` request with
 * the stream's own paging conditions and fields, so the check meets what the stream will meet:
 * the table's read ACL (403), query ACLs on the fields it filters and sorts by (403 "Insufficient
 * rights to query records"), field ACLs (a field left out of the row), row ACLs (the instance
 * counts a row but does not return it) and a missing `X-Total-Count`. Each failed check says what
 * it costs (`affects`) and what grants it (`fix`).
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import {
  EARLIEST_SN_TIME,
  MalformedPageError,
  isSnTime,
  text,
  type ServiceNowTableClient,
  type TablePage,
} from '@audit-hub/servicenow-table';
import { APPROVAL_FIELDS } from './servicenow-approval.mapper';
import { CHANGE_FIELDS } from './servicenow-change.mapper';
import { unknownQueryFields } from './servicenow-change-query';
import { GROUP_MEMBER_FIELDS } from './servicenow-group-member.mapper';
import { USER_FIELDS } from './servicenow-user.mapper';
import type { ResolvedServiceNowOptions } from './servicenow.config';
import { tableReadFix } from './servicenow.problems';
import { TABLES } from './servicenow.types';

const ORDER_BY_UPDATED = 'ORDERBYsys_updated_on^ORDERBYsys_id';
const SINCE_EVER = `sys_updated_on>=${EARLIEST_SN_TIME}`;

/** What one stream reads from one table, as the check probes it. */
interface TableProbe {
  table: string;
  kinds: RecordKind[];
  /** A snapshot cannot be whole while rows are hidden; an incremental stream reads past them. */
  snapshot: boolean;
  /** The stream's conditions and ordering (the range operators and sorts query ACLs govern). */
  query: string;
  fields: readonly string[];
  /** Fields the stream does without, and the record field each one fills. */
  optional: Readonly<Record<string, string>>;
}

export function tableProbes(options: Pick<ResolvedServiceNowOptions, 'changeQuery'>): TableProbe[] {
  const changeFilter = options.changeQuery ? `${options.changeQuery}^` : '';
  return [
    {
      table: TABLES.change,
      kinds: ['change'],
      snapshot: false,
      query: `${changeFilter}${SINCE_EVER}^${ORDER_BY_UPDATED}`,
      fields: CHANGE_FIELDS,
      optional: { 'cmdb_ci.name': 'change.ci.name' },
    },
    {
      table: TABLES.approval,
      kinds: ['change-approval'],
      snapshot: false,
      query: `source_table=${TABLES.change}^${SINCE_EVER}^${ORDER_BY_UPDATED}`,
      fields: APPROVAL_FIELDS,
      // The change number has two fallbacks: document_id, then a change_request lookup.
      optional: { 'sysapproval.number': '', document_id: '' },
    },
    {
      table: TABLES.user,
      kinds: ['identity'],
      snapshot: false,
      query: `${SINCE_EVER}^${ORDER_BY_UPDATED}`,
      fields: USER_FIELDS,
      optional: { email: 'identity.email' },
    },
    {
      table: TABLES.groupMember,
      kinds: ['group-membership'],
      snapshot: true,
      query: 'sys_id>0^ORDERBYsys_id',
      fields: GROUP_MEMBER_FIELDS,
      optional: {},
    },
  ];
}

/** The tables read by the streams, in the order they are checked. */
export const CHECKED_TABLES = tableProbes({}).map((probe) => probe.table);

export async function checkAccess(
  client: ServiceNowTableClient,
  options: Pick<ResolvedServiceNowOptions, 'changeQuery'>,
): Promise<CheckResult[]> {
  const reads: CheckResult[] = [];
  let authenticated = false;
  /** A change read by the probe: its sys_updated_on tells how the instance reads time literals. */
  let dated: { sysId: string; updatedOn: string } | undefined;
  for (const probe of tableProbes(options)) {
    const name = `read:${probe.table}`;
    try {
      const page = await client.probe(probe.table, probe.fields, probe.query);
      authenticated = true;
      reads.push(judge(name, probe, page));
      const [row] = page.rows;
      if (probe.table === TABLES.change && row && isSnTime(text(row, 'sys_updated_on')))
        dated = { sysId: text(row, 'sys_id'), updatedOn: text(row, 'sys_updated_on') };
    } catch (err) {
      if (err instanceof MalformedPageError) {
        // A 2xx that is not a Table API page: a hibernating developer instance or an SSO page answers HTML.
        authenticated = true;
        reads.push({
          name,
          ok: false,
          detail: `not a Table API answer: ${err.reason}`,
          affects: { kinds: probe.kinds },
        });
        continue;
      }
      if (!isUpstreamError(err)) throw err;
      if (err.code === 'network' || err.code === 'timeout' || err.code === 'aborted') {
        return [
          { name: 'reachable', ok: false, detail: err.message },
          { name: 'credentials', ok: false, detail: 'not checked: the instance did not answer' },
        ];
      }
      if (err.code === 'unauthorized') {
        return [
          { name: 'reachable', ok: true },
          {
            name: 'credentials',
            ok: false,
            detail: `credentials rejected (401): check auth.username and auth.password (or auth.token), and that the user is active and not locked out${err.detail ? ` (ServiceNow: ${err.detail})` : ''}`,
          },
        ];
      }
      authenticated ||= err.code === 'forbidden' || err.code === 'not_found';
      // ServiceNow words a refused table read and a refused query alike ("Insufficient rights to
      // query records"): a plain read of one sys_id tells which it was.
      const queryRefused = err.code === 'forbidden' && (await readsPlainly(client, probe.table));
      reads.push(refused(name, probe, queryRefused ? 'query-forbidden' : err.code, err.detail, err.message));
    }
  }
  if (dated) reads.push(await checkTimeLiterals(client, dated));
  if (options.changeQuery) reads.push(await checkChangeQuery(client, options.changeQuery));
  return [
    { name: 'reachable', ok: true },
    authenticated
      ? { name: 'credentials', ok: true }
      : {
          name: 'credentials',
          ok: false,
          detail: 'not confirmed: no request was answered with data or a permission error',
        },
    ...reads,
  ];
}

/** What a probe's answer says about reading the table as the stream does. */
function judge(name: string, probe: TableProbe, page: TablePage): CheckResult {
  const { table, kinds } = probe;
  if (page.total === undefined) {
    return {
      name,
      ok: false,
      detail: `${table} answered without X-Total-Count: reads cannot tell a page emptied by row ACLs from the end, so every run ends partial`,
      affects: { kinds },
      fix: 'let the X-Total-Count header through from the instance to audit-hub',
    };
  }
  const [row] = page.rows;
  if (!row) {
    if (page.total === 0) return { name, ok: true, detail: 'readable, but the table holds no row yet' };
    // The first row in the stream's order is counted but not returned: a row ACL hides it.
    return probe.snapshot
      ? {
          name,
          ok: false,
          detail: `row-level read ACLs hide rows of ${table} from the integration user: the snapshot can never prove it is whole, so nothing it misses is marked removed`,
          affects: { kinds },
          fix: `give the integration user a role that every ${table} read ACL admits`,
        }
      : {
          // Restricted rows (a confidential change) are read past; what they hold is not audited,
          // which the operator should know, but nothing the stream reads is left undecided.
          name,
          ok: true,
          detail: `readable; row-level read ACLs hide some rows of ${table} from the integration user (the stream reads past them, and does not audit them)`,
        };
  }
  const absent = probe.fields.filter((field) => !(field in row));
  const required = absent.filter((field) => !(field in probe.optional));
  if (required.length > 0) {
    return {
      name,
      ok: false,
      detail: `fields not returned (hidden by field-level read ACLs): ${required.join(', ')}`,
      affects: { kinds },
      fix: `read ACLs on ${required.map((field) => `${table}.${field}`).join(', ')} for the integration user`,
    };
  }
  const recordFields = absent.map((field) => probe.optional[field]).filter((field) => field !== '');
  if (recordFields.length > 0) {
    return {
      name,
      ok: false,
      severity: 'warn',
      detail: `readable; fields not returned (hidden by field-level read ACLs), left out of the records: ${absent.join(', ')}`,
      affects: { fields: recordFields },
      fix: `read ACLs on ${absent.map((field) => `${table}.${field}`).join(', ')} for the integration user`,
    };
  }
  return { name, ok: true };
}

/** A probe the instance refused: the table's read ACL, a query ACL, or a table that is not there. */
function refused(
  name: string,
  probe: TableProbe,
  code: string,
  said: string | undefined,
  message: string,
): CheckResult {
  const { table, kinds } = probe;
  const servicenow = said ? ` (ServiceNow: ${said})` : '';
  if (code === 'query-forbidden') {
    // Query ACLs (query_match / query_range) govern conditions and sorting, apart from reading.
    return {
      name,
      ok: false,
      detail: `forbidden (403): the integration user may read ${table} but not query it the way the stream does (${probe.query})${servicenow}`,
      affects: { kinds },
      fix: `read (or query_range and query_match) ACLs on the fields the stream filters and sorts by (${probe.query.includes('sys_updated_on') ? `${table}.sys_updated_on, ` : ''}${table}.sys_id), and on every field it asks for, for the integration user`,
    };
  }
  if (code === 'forbidden') {
    return {
      name,
      ok: false,
      detail: `forbidden (403): the integration user's roles grant no read ACL on ${table}${servicenow}`,
      affects: { kinds },
      fix: tableReadFix(table),
    };
  }
  if (code === 'not_found') {
    return {
      name,
      ok: false,
      detail: `table ${table} not found (404): is the plugin that provides it active?`,
      affects: { kinds },
    };
  }
  return { name, ok: false, detail: message, affects: { kinds } };
}

/** Whether the table answers a read without conditions, sorting or other fields than sys_id. */
async function readsPlainly(client: ServiceNowTableClient, table: string): Promise<boolean> {
  try {
    await client.probe(table);
    return true;
  } catch (err) {
    if (err instanceof MalformedPageError || isUpstreamError(err)) return false;
    throw err;
  }
}

/**
 * Whether the instance compares the `sys_updated_on` literals the streams send as UTC, the zone
 * the Table API returns them in: the change just read must match its own `sys_updated_on`. An
 * instance that reads them in the integration user's time zone shifts every watermark by the
 * offset, and a shift ahead of UTC skips the changes of those hours for good.
 */
async function checkTimeLiterals(
  client: ServiceNowTableClient,
  row: { sysId: string; updatedOn: string },
): Promise<CheckResult> {
  const name = 'query:sys_updated_on';
  const kinds: RecordKind[] = ['change', 'change-approval', 'identity'];
  try {
    const page = await client.probe(
      TABLES.change,
      ['sys_id'],
      `sys_id=${row.sysId}^sys_updated_on=${row.updatedOn}`,
    );
    if (page.rows.length > 0 || (page.total ?? 0) > 0) return { name, ok: true };
    return {
      name,
      ok: false,
      detail: `change_request ${row.sysId} does not match sys_updated_on=${row.updatedOn}, the value the instance returned for it: the instance reads time literals in another zone than UTC, so every watermark would be shifted`,
      affects: { kinds },
      fix: 'set the integration user\'s Time zone to GMT (docs/connectors/servicenow.md, "Authentication")',
    };
  } catch (err) {
    if (err instanceof MalformedPageError) return { name, ok: false, detail: err.reason, affects: { kinds } };
    if (isUpstreamError(err)) return { name, ok: false, detail: err.message, affects: { kinds } };
    throw err;
  }
}

async function checkChangeQuery(client: ServiceNowTableClient, query: string): Promise<CheckResult> {
  const name = 'query:change_request';
  try {
    const unknown = await unknownQueryFields(client, query);
    if (unknown.length === 0) return { name, ok: true };
    return {
      name,
      ok: false,
      detail: `options.changeQuery names ${unknown.join(', ')}, which change_request does not return: ServiceNow ignores such a condition (every change matches) or, with glide.invalid_query.returns_no_rows=true, matches nothing`,
      affects: { kinds: ['change'] },
      fix: 'correct the field names in options.changeQuery (they are case-sensitive), or grant read on them',
    };
  } catch (err) {
    if (err instanceof MalformedPageError)
      return { name, ok: false, detail: err.reason, affects: { kinds: ['change'] } };
    if (isUpstreamError(err)) return { name, ok: false, detail: err.message, affects: { kinds: ['change'] } };
    throw err;
  }
}
