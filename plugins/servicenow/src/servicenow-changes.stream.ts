/**
 * `changes`: change requests updated since the cursor (`change_request`, incremental), one batch
 * per page with the page's highest `sys_updated_on` as cursor.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedServiceNowOptions } from './servicenow.config';
import { CHANGE_FIELDS, changeUserRefs, mapChange } from './servicenow-change.mapper';
import { ReferenceResolver } from './servicenow-reference.resolver';
import { invalidChangeQuery, unknownQueryFields } from './servicenow-change-query';
import { endOnMalformedPage, startFrom, updatedBatch } from './servicenow-stream.support';
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
      const ctx = {
        stateMap: options.stateMap,
        userName: (sysId: string) => users.get(sysId),
        userMissing: (sysId: string) => users.why(sysId),
      };
      async function* batches() {
        // A misspelt field in changeQuery silently widens the query to every change, or empties it.
        const query = options.changeQuery;
        const unknown = query ? await unknownQueryFields(client, query) : [];
        if (query && unknown.length > 0)
          yield { records: [], problems: [invalidChangeQuery(query, unknown)] };
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
            const mapped = mapChange(row, ctx);
            if (mapped.record) records.push(mapped.record);
            problems.push(...mapped.problems);
          }
          yield updatedBatch(page, records, problems, ['change']);
        }
      }
      return endOnMalformedPage(['change'], redact, batches());
    },
  };
}
