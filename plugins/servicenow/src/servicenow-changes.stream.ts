/**
 * `changes`: change requests updated since the cursor (`change_request`, incremental), one batch
 * per page with the page's highest `sys_updated_on` as cursor.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedServiceNowOptions } from './servicenow.config';
import { CHANGE_FIELDS, changeUserRefs, mapChange } from './servicenow-change.mapper';
import { ReferenceResolver } from './servicenow-reference.resolver';
import { endOnMalformedPage, startFrom, type WatermarkCursor } from './servicenow-stream.support';
import type { ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { TABLES } from './servicenow.types';

export function changesStream(
  client: ServiceNowTableClient,
  options: ResolvedServiceNowOptions,
  redact: (text: string) => string,
): StreamDefinition {
  return {
    name: 'changes',
    kinds: ['change'],
    mode: 'incremental',
    read(input) {
      const from = startFrom('changes', input, 'since');
      // User names are cached for the run: the same requesters and assignees recur on every page.
      const users = new ReferenceResolver(client, TABLES.user, 'user_name');
      const userName = (sysId: string) => users.get(sysId);
      async function* batches() {
        for await (const page of client.updatedSince({
          table: TABLES.change,
          filter: options.changeQuery,
          fields: CHANGE_FIELDS,
          from,
        })) {
          await users.load(page.rows.flatMap(changeUserRefs));
          const records: NormalizedRecord[] = [];
          const problems: StreamProblem[] = [];
          for (const row of page.rows) {
            const mapped = mapChange(row, { stateMap: options.stateMap, userName });
            if (mapped.record) records.push(mapped.record);
            problems.push(...mapped.problems);
          }
          const cursor: WatermarkCursor = { updatedOn: page.watermark };
          yield { records, cursor, ...(problems.length ? { problems } : {}) };
        }
      }
      return endOnMalformedPage(['change'], redact, batches());
    },
  };
}
