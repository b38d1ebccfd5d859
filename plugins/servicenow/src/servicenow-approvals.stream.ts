/**
 * `approvals`: approvals of change requests updated since the cursor (`sysapproval_approver` with
 * `source_table=change_request`, incremental).
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import {
  APPROVAL_FIELDS,
  approvalChangeRef,
  approvalUserRefs,
  mapApproval,
} from './servicenow-approval.mapper';
import { ReferenceResolver } from './servicenow-reference.resolver';
import { endOnMalformedPage, startFrom, updatedBatch } from './servicenow-stream.support';
import type { ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { TABLES } from './servicenow.types';

export function approvalsStream(
  client: ServiceNowTableClient,
  redact: (text: string) => string,
): StreamDefinition {
  return {
    name: 'approvals',
    kinds: ['change-approval'],
    mode: 'incremental',
    read(input) {
      const from = startFrom('approvals', input, 'since');
      // Approvers resolve through sys_user exactly as change requesters do, so that a self-approval
      // (RM-SOD-001) compares like with like.
      const users = new ReferenceResolver(client, TABLES.user, 'user_name');
      const changes = new ReferenceResolver(client, TABLES.change, 'number');
      const ctx = {
        userName: (id: string) => users.get(id),
        userMissing: (id: string) => users.why(id),
        changeNumber: (id: string) => changes.get(id),
        changeMissing: (id: string) => changes.why(id),
      };
      async function* batches() {
        for await (const page of client.updatedSince({
          table: TABLES.approval,
          filter: `source_table=${TABLES.change}`,
          fields: APPROVAL_FIELDS,
          from,
        })) {
          await users.load(page.rows.flatMap(approvalUserRefs));
          await changes.load(page.rows.map(approvalChangeRef).filter((id): id is string => !!id));
          const records: NormalizedRecord[] = [];
          const problems: StreamProblem[] = [];
          for (const row of page.rows) {
            const mapped = mapApproval(row, ctx);
            if (mapped.record) records.push(mapped.record);
            problems.push(...mapped.problems);
          }
          yield updatedBatch(page, records, problems, ['change-approval']);
        }
      }
      return endOnMalformedPage(['change-approval'], redact, batches());
    },
  };
}
