/** A real HttpClient and plugin context against a nock-served instance, and helpers to drain the stream. */
import type { HttpClient } from '@audit-hub/http';
import type { Batch, Connection } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin, TABLE_API, type CmdbAuth, type CmdbOptions } from '../src';

export const BASE = 'https://acme.service-now.com';
export const USERNAME = 'audit';
export const PASSWORD = 'S3cr3t-Cmdb-Pa55word!';
/** The `Authorization` header value basic auth sends. */
export const BASIC_HEADER = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
export const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };

/**
 * The headers of a page whose query matched `total` rows before row ACLs: ServiceNow sends
 * `X-Total-Count` (a `select count(*)`) unless `sysparm_no_count=true` (Table API reference).
 */
export function counted(total: number): Record<string, string> {
  return { ...JSON_HEADERS, 'X-Total-Count': String(total) };
}

export interface TestConnection {
  connection: Connection;
  http: HttpClient;
  /** Every wait the client asked for (retry backoff, Retry-After). */
  waits: number[];
}

/** Connects the plugin as the hub does: its auth strategy, default headers, and a no-op sleep. */
export async function connect(
  options: CmdbOptions = {},
  auth: CmdbAuth = { username: USERNAME, password: PASSWORD },
): Promise<TestConnection> {
  const waits: number[] = [];
  const ctx = pluginTestContext(plugin, {
    connectorId: 'cmdb',
    baseUrl: BASE,
    auth,
    options,
    now: new Date('2024-06-01T00:00:00Z'),
    sleeps: waits,
  });
  return { connection: await plugin.connect(ctx), http: ctx.http, waits };
}

/** Every batch of the `inventory` stream for one read. */
export async function readInventory(connection: Connection): Promise<Batch[]> {
  return readBatches(connection, 'inventory', {
    cursor: null,
    full: false,
    since: new Date('2024-03-01T00:00:00Z'),
  });
}

/** The query string every Table API request of the connector carries. */
export function tableQuery(req: {
  query?: string;
  fields: readonly string[];
  limit: number;
}): Record<string, string> {
  return {
    ...(req.query ? { sysparm_query: req.query } : {}),
    sysparm_fields: req.fields.join(','),
    sysparm_limit: String(req.limit),
    sysparm_offset: '0',
    sysparm_display_value: 'false',
    sysparm_exclude_reference_link: 'true',
    sysparm_no_count: 'false',
  };
}

export function tablePath(table: string): string {
  return `${TABLE_API}/${table}`;
}
