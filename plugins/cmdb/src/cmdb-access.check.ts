/**
 * `connectors check` for the CMDB: one `sysparm_limit=1` read of the CI table with the stream's
 * fields, which proves the instance answers, the credentials are accepted, the table is readable,
 * and the name field comes back (an unknown field, or one a field ACL hides, is left out of the row).
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { MalformedPageError, type ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { configItemFields } from './cmdb-config-item.mapper';
import type { ResolvedCmdbOptions } from './cmdb.config';

export async function checkAccess(
  client: ServiceNowTableClient,
  options: ResolvedCmdbOptions,
): Promise<CheckResult[]> {
  const { table, nameField } = options;
  const name = `read:${table}`;
  const fields = configItemFields(nameField);
  const reached = (read: CheckResult): CheckResult[] => [
    { name: 'reachable', ok: true },
    { name: 'credentials', ok: true },
    read,
  ];
  try {
    const page = await client.probe(table, fields);
    const [row] = page.rows;
    // Row ACLs filter after the limit, so an empty first page proves the table is readable, not populated.
    if (!row)
      return reached({
        name,
        ok: true,
        detail: 'readable, but no CI is visible (empty, or row ACLs hide every row)',
      });
    if (!(nameField in row)) {
      return reached({
        name,
        ok: false,
        detail: `the name field ${nameField} is not returned: it is not a field of ${table}, or a field ACL hides it from the user`,
      });
    }
    const missing = fields.filter((field) => !(field in row));
    return reached(
      missing.length === 0
        ? { name, ok: true }
        : {
            name,
            ok: true,
            detail: `readable; fields not returned (not on this table, or hidden by field ACLs), left empty: ${missing.join(', ')}`,
          },
    );
  } catch (err) {
    if (err instanceof MalformedPageError) {
      // A 2xx that is not a Table API page: a hibernating developer instance or an SSO page answers HTML.
      return reached({ name, ok: false, detail: `not a Table API answer: ${err.reason}` });
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
      return reached({
        name,
        ok: false,
        detail: `forbidden (403): the integration user's roles grant no read ACL on ${table}; give it a role that can read ${table} (docs/connectors/cmdb.md, "Least privilege")`,
      });
    }
    // An unknown table answers 400 "Invalid table <name>"; 404 is documented for a missing resource.
    if (err.code === 'not_found' || (err.code === 'client' && err.status === 400)) {
      return reached({
        name,
        ok: false,
        detail: `table ${table} not found (${err.status}): check options.table${err.detail ? ` (ServiceNow: ${err.detail})` : ''}`,
      });
    }
    return [
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: 'not confirmed: the instance answered with an error' },
      { name, ok: false, detail: err.message },
    ];
  }
}
