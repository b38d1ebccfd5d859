/**
 * `connectors check` for ServiceNow: one `sysparm_limit=1` read per table the streams need, which
 * proves the instance answers, the credentials are accepted and each table is readable.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { MalformedPageError, type ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { TABLES } from './servicenow.types';

/** The tables read by the streams, in the order they are checked. */
export const CHECKED_TABLES = [TABLES.change, TABLES.approval, TABLES.user, TABLES.groupMember] as const;

export async function checkAccess(client: ServiceNowTableClient): Promise<CheckResult[]> {
  const reads: CheckResult[] = [];
  let authenticated = false;
  for (const table of CHECKED_TABLES) {
    const name = `read:${table}`;
    try {
      const page = await client.probe(table);
      authenticated = true;
      // Row ACLs filter after the limit, so an empty first row proves the table is readable, not populated.
      reads.push(
        page.rows.length > 0
          ? { name, ok: true }
          : { name, ok: true, detail: 'readable, but no row is visible (empty, or row ACLs hide every row)' },
      );
    } catch (err) {
      if (err instanceof MalformedPageError) {
        // A 2xx that is not a Table API page: a hibernating developer instance or an SSO page answers HTML.
        authenticated = true;
        reads.push({ name, ok: false, detail: `not a Table API answer: ${err.reason}` });
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
      if (err.code === 'forbidden') {
        authenticated = true;
        reads.push({
          name,
          ok: false,
          detail: `forbidden (403): the integration user's roles grant no read ACL on ${table}; give it a role that can read ${table} (docs/connectors/servicenow.md, "Least privilege")`,
        });
        continue;
      }
      if (err.code === 'not_found') {
        authenticated = true;
        reads.push({
          name,
          ok: false,
          detail: `table ${table} not found (404): is the plugin that provides it active?`,
        });
        continue;
      }
      reads.push({ name, ok: false, detail: err.message });
    }
  }
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
