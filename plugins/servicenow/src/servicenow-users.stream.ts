/**
 * `users`: the identity source (`sys_user`, incremental). The first run reads every user, not only
 * those updated since `collect.since`: a person last updated years ago still exists, and
 * controls.md makes this stream decide who is active or unknown.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { endOnMalformedPage, startFrom, updatedBatch } from './servicenow-stream.support';
import type { ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { USER_FIELDS, mapUser } from './servicenow-user.mapper';
import { TABLES } from './servicenow.types';

export function usersStream(
  client: ServiceNowTableClient,
  redact: (text: string) => string,
): StreamDefinition {
  return {
    name: 'users',
    kinds: ['identity'],
    mode: 'incremental',
    read(input) {
      const from = startFrom('users', input, 'everything');
      async function* batches() {
        for await (const page of client.updatedSince({ table: TABLES.user, fields: USER_FIELDS, from })) {
          const records: NormalizedRecord[] = [];
          const problems: StreamProblem[] = [];
          for (const row of page.rows) {
            const mapped = mapUser(row);
            if (mapped?.record) records.push(mapped.record);
            if (mapped) problems.push(...mapped.problems);
          }
          yield updatedBatch(page, records, problems, ['identity']);
        }
      }
      return endOnMalformedPage(['identity'], redact, batches());
    },
  };
}
