/**
 * `connectors check` for the CMDB: one `sysparm_limit=1` read of the CI table with the stream's
 * fields and keyset conditions, which proves the instance answers, the credentials are accepted,
 * the table is readable and can be queried by sys_id (query ACLs), the name field comes back (an
 * unknown field, or one a field ACL hides, is left out of the row), no row ACL hides the first CI
 * (the instance counts it but does not return it: the snapshot could never be whole), and the
 * instance sends `X-Total-Count`, without which no snapshot can prove it read every CI.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { MalformedPageError, type ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { RECORD_FIELD, configItemFields } from './cmdb-config-item.mapper';
import type { ResolvedCmdbOptions } from './cmdb.config';

/** The keyset condition and order of the inventory stream's pages. */
export const PROBE_QUERY = 'sys_id>0^ORDERBYsys_id';
const KINDS: ['config-item'] = ['config-item'];

export async function checkAccess(
  client: ServiceNowTableClient,
  options: ResolvedCmdbOptions,
): Promise<CheckResult[]> {
  const { table, nameField } = options;
  const name = `read:${table}`;
  const fields = configItemFields(nameField);
  const readFix = `the cmdb_read role, or a read ACL on ${table} for the integration user`;
  const reached = (read: CheckResult): CheckResult[] => [
    { name: 'reachable', ok: true },
    { name: 'credentials', ok: true },
    read,
  ];
  try {
    const page = await client.probe(table, fields, PROBE_QUERY);
    const [row] = page.rows;
    if (page.total === undefined)
      return reached({
        name,
        ok: false,
        detail: `${table} answered without X-Total-Count: the snapshot cannot tell a page emptied by row ACLs from the end, so it never deletes and every run ends partial`,
        affects: { kinds: KINDS },
        fix: 'let the X-Total-Count header through from the instance to audit-hub',
      });
    if (!row) {
      if (page.total === 0)
        return reached({ name, ok: true, detail: 'readable, but the table holds no CI yet' });
      return reached({
        name,
        ok: false,
        detail: `row-level read ACLs hide CIs of ${table} from the integration user (the instance counts ${page.total} but returns none of the first): the snapshot can never prove it is whole, so no CI it misses is marked deleted`,
        affects: { kinds: KINDS },
        fix: `give the integration user a role that every ${table} read ACL admits`,
      });
    }
    if (!(nameField in row)) {
      return reached({
        name,
        ok: false,
        detail: `the name field ${nameField} is not returned: it is not a field of ${table}, or a field ACL hides it from the user`,
        affects: { kinds: KINDS },
        fix: `set options.nameField to a field of ${table}, or grant a read ACL on ${table}.${nameField}`,
      });
    }
    const missing = fields.filter((field) => !(field in row));
    return reached(
      missing.length === 0
        ? { name, ok: true }
        : {
            name,
            ok: false,
            severity: 'warn',
            detail: `readable; fields not returned (not on this table, or hidden by field ACLs), left empty: ${missing.join(', ')}`,
            affects: { fields: missing.map((field) => `config-item.${RECORD_FIELD[field] ?? field}`) },
            fix: `read ACLs on ${missing.map((field) => `${table}.${field}`).join(', ')} for the integration user`,
          },
    );
  } catch (err) {
    if (err instanceof MalformedPageError) {
      // A 2xx that is not a Table API page: a hibernating developer instance or an SSO page answers HTML.
      return reached({
        name,
        ok: false,
        detail: `not a Table API answer: ${err.reason}`,
        affects: { kinds: KINDS },
      });
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
    if (err.code === 'forbidden') {
      // ServiceNow words a refused table read and a refused query alike ("Insufficient rights to
      // query records"); query ACLs (query_range) govern the sys_id> condition and the sort apart
      // from reading. A plain read of one sys_id tells which it was.
      const query = await readsPlainly(client, table);
      return reached({
        name,
        ok: false,
        detail: query
          ? `forbidden (403): the integration user may not query ${table} by sys_id as the snapshot pages it${err.detail ? ` (ServiceNow: ${err.detail})` : ''}`
          : `forbidden (403): the integration user's roles grant no read ACL on ${table}; give it a role that can read ${table} (docs/connectors/cmdb.md, "Least privilege")`,
        affects: { kinds: KINDS },
        fix: query
          ? `query_range on ${table}.sys_id (e.g. a read ACL on it) for the integration user`
          : readFix,
      });
    }
    // An unknown table answers 400 "Invalid table <name>"; 404 is documented for a missing resource.
    if (err.code === 'not_found' || (err.code === 'client' && err.status === 400)) {
      return reached({
        name,
        ok: false,
        detail: `table ${table} not found (${err.status}): check options.table${err.detail ? ` (ServiceNow: ${err.detail})` : ''}`,
        affects: { kinds: KINDS },
        fix: 'set options.table to a CI table of the instance (cmdb_ci_appl, cmdb_ci_service_auto, …)',
      });
    }
    return [
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: 'not confirmed: the instance answered with an error' },
      { name, ok: false, detail: err.message, affects: { kinds: KINDS } },
    ];
  }
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
