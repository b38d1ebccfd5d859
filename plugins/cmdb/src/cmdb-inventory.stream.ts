/**
 * `inventory` (snapshot): every CI of the configured table, keyset-paged by sys_id, as `config-item`
 * records. Only a snapshot that ends without a problem lets the core mark the CIs it did not see as
 * deleted, so anything this stream could not read — an unreadable page, a row it could not map,
 * CIs the instance counts but a row ACL hides, an end it could not prove — is reported as a
 * problem and the snapshot ends `partial`. HTTP failures that survive the
 * client's retries fail the stream.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { Batch, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import {
  MalformedPageError,
  type ServiceNowTableClient,
  hiddenRowsProblem,
  unprovenProblem,
} from '@audit-hub/servicenow-table';
import { configItemFields, mapConfigItem } from './cmdb-config-item.mapper';
import type { ResolvedCmdbOptions } from './cmdb.config';

export const INVENTORY_STREAM = 'inventory';
export const INVENTORY_KINDS: RecordKind[] = ['config-item'];

export function createInventoryStream(
  client: ServiceNowTableClient,
  options: ResolvedCmdbOptions,
  redact: (text: string) => string,
): StreamDefinition {
  return {
    name: INVENTORY_STREAM,
    kinds: INVENTORY_KINDS,
    mode: 'snapshot',
    read: () => readInventory(client, options, redact),
  };
}

async function* readInventory(
  client: ServiceNowTableClient,
  options: ResolvedCmdbOptions,
  redact: (text: string) => string,
): AsyncGenerator<Batch> {
  const clean = (problems: StreamProblem[]) =>
    problems.map((p) => ({ ...p, where: redact(p.where), error: redact(p.error) }));
  const ctx = { table: options.table, nameField: options.nameField };
  let hidden = 0;
  try {
    for await (const page of client.all({
      table: options.table,
      fields: configItemFields(options.nameField),
    })) {
      hidden += page.hidden;
      const batch: Batch = { records: [] };
      const problems: StreamProblem[] = [];
      if (page.unproven) problems.push(unprovenProblem(page.unproven, INVENTORY_KINDS));
      for (const row of page.rows) {
        const mapped = mapConfigItem(row, ctx);
        if (mapped.record) batch.records.push(mapped.record);
        problems.push(...mapped.problems);
      }
      if (problems.length > 0) batch.problems = clean(problems);
      yield batch;
    }
    // A CI a row ACL hides cannot be told from a deleted one: the snapshot is not whole.
    if (hidden > 0)
      yield { records: [], problems: clean([hiddenRowsProblem(options.table, hidden, INVENTORY_KINDS)]) };
  } catch (err) {
    if (!(err instanceof MalformedPageError)) throw err;
    yield { records: [], problems: clean([{ where: err.where, error: err.reason, kinds: INVENTORY_KINDS }]) };
  }
}
