/** A real HttpClient and plugin context against a nock-served instance, and helpers to drain streams. */
import { HttpClient } from '@audit-hub/http';
import type { Batch, Connection, PluginContext, ReadInput, StreamDefinition } from '@audit-hub/plugin-sdk';
import { plugin } from '../src';
import type { ServiceNowAuth, ServiceNowOptions } from '../src/servicenow.config';
import { TABLE_API } from '@audit-hub/servicenow-table';

export const BASE_URL = 'https://acme.service-now.com';
export const USERNAME = 'audit';
export const PASSWORD = 'S3cr3t-Pa55word!';
/** The `Authorization` header value basic auth sends. */
export const BASIC_HEADER = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;

/** The run's clock, and the HTTP client's: it never moves, so waits are recorded, not slept. */
const NOW = new Date('2024-06-01T00:00:00Z');

export interface TestConnection {
  connection: Connection;
  http: HttpClient;
  waits: number[];
}

/** Connects the plugin as the hub does: its auth strategy, default headers, and a no-op sleep. */
export async function connect(
  options: ServiceNowOptions = {},
  auth: ServiceNowAuth = { username: USERNAME, password: PASSWORD },
): Promise<TestConnection> {
  const waits: number[] = [];
  const http = new HttpClient({
    connector: 'servicenow',
    baseUrl: BASE_URL,
    auth: plugin.createAuth?.(auth, options),
    headers: plugin.defaultHeaders,
    retry: { retries: 2, baseDelayMs: 1 },
    clock: {
      now: () => NOW.getTime(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  });
  const ctx: PluginContext<ServiceNowAuth, ServiceNowOptions> = {
    connectorId: 'servicenow',
    baseUrl: BASE_URL,
    auth,
    options,
    http,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    now: () => new Date(NOW),
    services: [],
  };
  return { connection: await plugin.connect(ctx), http, waits };
}

export function stream(connection: Connection, name: string): StreamDefinition {
  const found = connection.streams.find((s) => s.name === name);
  if (!found) throw new Error(`no stream ${name}`);
  return found;
}

export const SINCE = new Date('2024-04-01T00:00:00Z');

export function firstRun(): ReadInput {
  return { cursor: null, full: false, since: SINCE };
}

export async function drain(def: StreamDefinition, input: ReadInput): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of def.read(input)) batches.push(batch);
  return batches;
}

/** The query string every Table API request of the connector carries. */
export function tableQuery(req: {
  query?: string;
  fields: readonly string[];
  limit: number;
  offset?: number;
}): Record<string, string> {
  return {
    ...(req.query ? { sysparm_query: req.query } : {}),
    sysparm_fields: req.fields.join(','),
    sysparm_limit: String(req.limit),
    sysparm_offset: String(req.offset ?? 0),
    sysparm_display_value: 'false',
    sysparm_exclude_reference_link: 'true',
    sysparm_no_count: 'false',
  };
}

export function tablePath(table: string): string {
  return `${TABLE_API}/${table}`;
}

export const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };

/**
 * The headers of a page whose query matched `total` rows before row ACLs: ServiceNow sends
 * `X-Total-Count` (a `select count(*)`) unless `sysparm_no_count=true` (Table API reference).
 */
export function counted(total: number): Record<string, string> {
  return { ...JSON_HEADERS, 'X-Total-Count': String(total) };
}
