/**
 * `groups`: every group membership (`sys_user_grmember`, snapshot). Only a snapshot that ends
 * without a problem lets the core mark memberships it did not see as removed, so memberships the
 * instance counts but a row ACL hides, and a read that cannot prove its end, are problems.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { GROUP_MEMBER_FIELDS, mapGroupMember } from './servicenow-group-member.mapper';
import { endOnMalformedPage } from './servicenow-stream.support';
import { type ServiceNowTableClient, hiddenRowsProblem, unprovenProblem } from '@audit-hub/servicenow-table';
import { TABLES } from './servicenow.types';

export function groupsStream(
  client: ServiceNowTableClient,
  connectorId: string,
  redact: (text: string) => string,
): StreamDefinition {
  return {
    name: 'groups',
    kinds: ['group-membership'],
    mode: 'snapshot',
    read() {
      async function* batches() {
        let hidden = 0;
        for await (const page of client.all({ table: TABLES.groupMember, fields: GROUP_MEMBER_FIELDS })) {
          hidden += page.hidden;
          // A user listed twice in a group (ServiceNow does not prevent it) is one membership.
          const records = new Map<string, NormalizedRecord>();
          const problems: StreamProblem[] = [];
          for (const row of page.rows) {
            const mapped = mapGroupMember(row, connectorId);
            if (mapped?.record && !records.has(mapped.record.externalId))
              records.set(mapped.record.externalId, mapped.record);
            if (mapped) problems.push(...mapped.problems);
          }
          if (page.unproven) problems.push(unprovenProblem(page.unproven, ['group-membership']));
          yield { records: [...records.values()], ...(problems.length ? { problems } : {}) };
        }
        // A hidden membership cannot be told from a removed one: the snapshot is not whole.
        if (hidden > 0)
          yield {
            records: [],
            problems: [hiddenRowsProblem(TABLES.groupMember, hidden, ['group-membership'])],
          };
      }
      return endOnMalformedPage(['group-membership'], redact, batches());
    },
  };
}
