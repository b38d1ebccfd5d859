import { timingSafeEqual } from 'node:crypto';
import { EstateIndex } from '../estate/estate.index';
import type { Estate } from '../estate/estate.model';
import {
  basicCredentials,
  json,
  linkTo,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from './fake-http.util';
import {
  matchesQuery,
  orderComparator,
  parseEncodedQuery,
  type FieldReader,
} from './servicenow-query.parser';
import {
  SnDatabase,
  snTime,
  type SnRow,
  type SnTable,
  type SnValue,
  type TableName,
} from './servicenow.tables';

/**
 * A ServiceNow Table API (`/api/now/table/<table>`) over the estate. Where connectors trip, it does
 * what the real one does: every value a string; references `{link, value}` unless
 * `sysparm_exclude_reference_link=true`, empty ones `""`; `sysparm_limit` applied before ACLs, so
 * a page can come back short (a restricted change) while more pages follow, and `X-Total-Count`
 * counts the rows before ACLs; invalid query terms ignored rather than refused. The behaviours
 * below add what real instances also do.
 */

/**
 * Real-instance behaviours, each off by default (docs/connectors/servicenow.md and cmdb.md, "On
 * real instances"). The Table API reference is `c_TableAPI.md` (GET /now/table/{tableName}).
 */
export interface ServicenowBehaviours {
  /**
   * Row-level read ACLs hide rows of `change_request`, `sysapproval_approver` and `sys_user` from
   * the audit account: a block of RESTRICTED_BLOCK restricted rows each, not part of the estate, one
   * second before the table's oldest readable row. `sysparm_limit` "is applied before ACL
   * evaluation. If no records return, including records you have access to, rearrange the record
   * order…", so windows come back empty or short while readable rows follow; `X-Total-Count` (a
   * `select count(*)` unless `sysparm_no_count=true`) counts the hidden rows.
   */
  aclHiddenRows?: boolean;
  /**
   * Rows are updated while a client pages them: after serving a `change_request` or `sys_user`
   * window that has rows after it, the first readable row served in it (once per row) is updated
   * at the fake's present — a business rule, a scheduled job or an agent saving it — so it moves to
   * the end of `ORDERBYsys_updated_on` and the rows behind it move up one place.
   */
  rowsMoveWhilePaging?: boolean;
  /**
   * `glide.invalid_query.returns_no_rows=true`: a query term on a field the table does not have
   * matches no row, instead of being ignored (every row matches) as by default.
   */
  invalidQueryReturnsNoRows?: boolean;
  /**
   * Row-level read ACLs hide rows of the snapshot tables, `sys_user_grmember` and `cmdb_ci_appl`
   * (restricted blocks as for aclHiddenRows). A hidden membership or CI cannot be told from a
   * deleted one, so no snapshot of them can be whole.
   */
  aclHiddenSnapshotRows?: boolean;
  /**
   * The audit account has no read ACL on `sys_user_grmember`: every read answers 403 with the
   * failure body ServiceNow sends for a refused query ("Insufficient rights to query records").
   */
  membershipsForbidden?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const SERVICENOW_TRANSPARENT_BEHAVIOURS: readonly (keyof ServicenowBehaviours)[] = [
  'aclHiddenRows',
  'rowsMoveWhilePaging',
  // The connector's own conditions name real fields; a bad options.changeQuery is reported.
  'invalidQueryReturnsNoRows',
];
/** Switches where data truly cannot be read: the connector must say so, never read "none". */
export const SERVICENOW_LOSSY_BEHAVIOURS: readonly (keyof ServicenowBehaviours)[] = [
  // Memberships and CIs the account cannot see: the snapshots are never whole, nothing is deleted.
  'aclHiddenSnapshotRows',
  'membershipsForbidden',
];

export interface ServicenowFakeOptions {
  estate: () => Estate;
  user: string;
  password: string;
  now: () => Date;
  behaviours?: ServicenowBehaviours;
}

/** Tables whose rows rowsMoveWhilePaging moves: their records do not depend on `sys_updated_on`. */
const MOVING_TABLES: readonly string[] = ['change_request', 'sys_user'];

/** The Table API's ceiling when no `sysparm_limit` is given. */
const DEFAULT_LIMIT = 10_000;
const TABLE_PREFIX = '/api/now/table/';

function failure(status: number, message: string, detail: string | null): FakeResponse {
  return json(status, { error: { message, detail }, status: 'failure' });
}

function unauthorized(): FakeResponse {
  const response = failure(401, 'User Not Authenticated', 'Required to provide Auth information');
  response.headers['www-authenticate'] = 'BASIC realm="Service-now"';
  return response;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Resolved {
  table: SnTable;
  field: string;
  value: SnValue;
}

/** Reads `field` or a dot-walked `reference.field` of a row; undefined when the table has no such field. */
function resolve(db: SnDatabase, table: SnTable, row: SnRow, path: string): Resolved | undefined {
  const segments = path.split('.');
  let currentTable = table;
  let currentRow = row;
  for (let i = 0; i < segments.length - 1; i++) {
    const value = currentRow.fields[segments[i]];
    if (value === undefined || typeof value === 'string') {
      return value === ''
        ? { table: currentTable, field: segments[segments.length - 1], value: '' }
        : undefined;
    }
    const target = db.table(value.table);
    const targetRow = target?.bySysId.get(value.sysId);
    if (!target || !targetRow)
      return { table: currentTable, field: segments[segments.length - 1], value: '' };
    currentTable = target;
    currentRow = targetRow;
  }
  const field = segments[segments.length - 1];
  const value = currentRow.fields[field];
  return value === undefined ? undefined : { table: currentTable, field, value };
}

function reader(db: SnDatabase, table: SnTable, row: SnRow): FieldReader {
  return {
    value(field) {
      const r = resolve(db, table, row, field);
      if (!r) return undefined;
      return typeof r.value === 'string' ? r.value : r.value.sysId;
    },
    numeric(field) {
      const r = resolve(db, table, row, field);
      return r !== undefined && r.table.numericFields.has(r.field);
    },
  };
}

type DisplayMode = 'false' | 'true' | 'all';

function render(
  db: SnDatabase,
  resolved: Resolved,
  mode: DisplayMode,
  excludeLinks: boolean,
  base: string,
): unknown {
  const { value, table, field } = resolved;
  if (typeof value === 'string') {
    const display = table.choices[field]?.[value] ?? value;
    if (mode === 'false') return value;
    if (mode === 'true') return display;
    return { display_value: display, value };
  }
  const link = `${base}/api/now/table/${value.table}/${value.sysId}`;
  const target = db.lookup(value);
  const targetTable = db.table(value.table);
  const shown = target && targetTable ? target.fields[targetTable.displayField] : undefined;
  const display = typeof shown === 'string' ? shown : value.sysId;
  if (mode === 'false') return excludeLinks ? value.sysId : { link, value: value.sysId };
  if (mode === 'true') return excludeLinks ? display : { display_value: display, link };
  return excludeLinks
    ? { display_value: display, value: value.sysId }
    : { display_value: display, link, value: value.sysId };
}

function renderRow(
  db: SnDatabase,
  table: SnTable,
  row: SnRow,
  request: FakeRequest,
): Record<string, unknown> {
  const modeParam = (request.query.get('sysparm_display_value') ?? 'false').toLowerCase();
  const mode: DisplayMode = modeParam === 'true' || modeParam === 'all' ? modeParam : 'false';
  const excludeLinks = (request.query.get('sysparm_exclude_reference_link') ?? '').toLowerCase() === 'true';
  const fieldsParam = request.query.get('sysparm_fields');
  const names = fieldsParam
    ? fieldsParam
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== '')
    : Object.keys(row.fields);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const resolved = resolve(db, table, row, name);
    if (resolved) out[name] = render(db, resolved, mode, excludeLinks, request.baseUrl);
  }
  return out;
}

function nonNegative(value: string | null, fallback: number): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function forbidden(): FakeResponse {
  return failure(
    403,
    'Insufficient rights to query records',
    'Field(s) present in the query do not have permission to be read',
  );
}

/** Whether the query names a field the table does not have (judged on its first row). */
function namesUnknownField(
  db: SnDatabase,
  table: SnTable,
  query: ReturnType<typeof parseEncodedQuery>,
): boolean {
  const [first] = table.rows;
  if (!first) return false;
  const read = reader(db, table, first);
  return query.queries.some((clauses) =>
    clauses.some((alternatives) => alternatives.some((c) => read.value(c.field) === undefined)),
  );
}

interface ListAnswer {
  response: FakeResponse;
  /** The readable rows served, in order. */
  served: SnRow[];
  /** Whether rows match after this window. */
  more: boolean;
}

function list(
  db: SnDatabase,
  table: SnTable,
  request: FakeRequest,
  behaviours: ServicenowBehaviours,
): ListAnswer {
  const query = parseEncodedQuery(request.query.get('sysparm_query'));
  const readers = table.rows.map((row) => ({ row, read: reader(db, table, row) }));
  const noRows = behaviours.invalidQueryReturnsNoRows === true && namesUnknownField(db, table, query);
  const matched = noRows ? [] : readers.filter((r) => matchesQuery(r.read, query));
  const compare = orderComparator(query);
  matched.sort((a, b) => compare(a.read, b.read));
  const total = matched.length;
  const requestedLimit = nonNegative(request.query.get('sysparm_limit'), DEFAULT_LIMIT);
  const limit = requestedLimit > 0 ? requestedLimit : DEFAULT_LIMIT;
  const offset = nonNegative(request.query.get('sysparm_offset'), 0);
  // The limit is applied before the ACLs: a restricted row still takes its slot in the page.
  const served = matched
    .slice(offset, offset + limit)
    .filter((r) => !r.row.hidden)
    .map((r) => r.row);
  const page = served.map((row) => renderRow(db, table, row, request));
  const headers: Record<string, string> = {};
  if ((request.query.get('sysparm_no_count') ?? '').toLowerCase() !== 'true')
    headers['x-total-count'] = String(total);
  if ((request.query.get('sysparm_suppress_pagination_header') ?? '').toLowerCase() !== 'true') {
    const at = (o: number) => linkTo(request, { sysparm_offset: String(o), sysparm_limit: String(limit) });
    const links = [`<${at(0)}>;rel="first"`];
    if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>;rel="prev"`);
    if (offset + limit < total) links.push(`<${at(offset + limit)}>;rel="next"`);
    links.push(`<${at(total > 0 ? Math.floor((total - 1) / limit) * limit : 0)}>;rel="last"`);
    headers.link = links.join(',');
  }
  return { response: json(200, { result: page }, headers), served, more: offset + limit < total };
}

/**
 * Rows updated while a client reads (rowsMoveWhilePaging): each moved row's new `sys_updated_on`,
 * kept apart from the tables, which are rebuilt whenever the clock moves.
 */
class MovedRows {
  private readonly moved = new Map<string, string>();

  /** Moves the first served row not moved before to `now`. */
  afterWindow(table: SnTable, served: SnRow[], now: Date): void {
    const row = served.find((r) => !this.moved.has(`${table.name}/${r.sysId}`));
    if (!row) return;
    const at = snTime(now.toISOString());
    if (typeof row.fields.sys_updated_on === 'string' && row.fields.sys_updated_on >= at) return;
    this.moved.set(`${table.name}/${row.sysId}`, at);
    this.apply(table, row);
  }

  /** Applies the moves to a table just built. */
  applyAll(db: SnDatabase): void {
    for (const key of this.moved.keys()) {
      const [name, sysId] = key.split('/');
      const table = db.table(name);
      const row = table?.bySysId.get(sysId);
      if (table && row) this.apply(table, row);
    }
  }

  private apply(table: SnTable, row: SnRow): void {
    const at = this.moved.get(`${table.name}/${row.sysId}`)!;
    // A later update of the estate's own wins over the move.
    const current = row.fields.sys_updated_on;
    if (typeof current === 'string' && current >= at) return;
    row.fields = {
      ...row.fields,
      sys_updated_on: at,
      sys_mod_count: String(Number(row.fields.sys_mod_count ?? '0') + 1),
    };
  }
}

export function createServicenowFake(options: ServicenowFakeOptions): FakeHandler {
  const behaviours = options.behaviours ?? {};
  const restricted: TableName[] = [
    ...(behaviours.aclHiddenRows ? (['change_request', 'sysapproval_approver', 'sys_user'] as const) : []),
    ...(behaviours.aclHiddenSnapshotRows ? (['sys_user_grmember', 'cmdb_ci_appl'] as const) : []),
  ];
  const moved = new MovedRows();
  let cache: { key: string; db: SnDatabase } | undefined;
  const database = (): SnDatabase => {
    const estate = options.estate();
    const now = options.now().toISOString();
    const key = `${EstateIndex.keyOf(estate)}|${now}`;
    if (!cache || cache.key !== key) {
      cache = { key, db: new SnDatabase(estate, now, { restricted }) };
      moved.applyAll(cache.db);
    }
    return cache.db;
  };
  return (request) => {
    const credentials = basicCredentials(request);
    if (
      !credentials ||
      !same(credentials.user, options.user) ||
      !same(credentials.password, options.password)
    ) {
      return unauthorized();
    }
    if (!request.path.startsWith(TABLE_PREFIX)) {
      return failure(400, 'Requested URI does not represent any resource', null);
    }
    const [tableName, sysId, ...extra] = request.path
      .slice(TABLE_PREFIX.length)
      .replace(/\/+$/, '')
      .split('/');
    if (extra.length > 0 || !tableName)
      return failure(400, 'Requested URI does not represent any resource', null);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return failure(405, 'Method not Supported', 'The sandbox Table API is read-only');
    }
    const db = database();
    const table = db.table(decodeURIComponent(tableName));
    if (!table) return failure(400, `Invalid table ${decodeURIComponent(tableName)}`, null);
    if (behaviours.membershipsForbidden && table.name === 'sys_user_grmember') return forbidden();
    if (sysId === undefined) {
      const answer = list(db, table, request, behaviours);
      if (behaviours.rowsMoveWhilePaging && answer.more && MOVING_TABLES.includes(table.name))
        moved.afterWindow(table, answer.served, options.now());
      return answer.response;
    }
    const row = table.bySysId.get(decodeURIComponent(sysId));
    if (!row || row.hidden) {
      return failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    }
    return json(200, { result: renderRow(db, table, row, request) });
  };
}
