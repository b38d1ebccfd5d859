/**
 * A `PluginContext` for a plugin's contract tests, built as the hub builds one (the real
 * `HttpClient` with the plugin's `createAuth` and `defaultHeaders`), but without waiting: backoff
 * and Retry-After waits are recorded instead of slept, so a 429 scenario runs at once and can assert
 * the wait it was asked for. With it, the read of a stream into its batches and the records of one
 * kind by id: the plumbing every plugin's `test/context.ts` used to repeat.
 */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { HttpClient } from '@audit-hub/http';
import type {
  AuditHubPlugin,
  Batch,
  Connection,
  PluginContext,
  PluginLogger,
  ReadInput,
  ServiceKeys,
} from '../plugin';

/** The clock of a test context when the test does not set one. */
export const TEST_NOW = new Date('2024-01-01T00:00:00.000Z');

/** A logger that drops every line. */
export const noopLogger: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface TestContextBase<Auth, Options> {
  /** The connector instance id (appears in every subject ref and error). */
  connectorId: string;
  baseUrl: string;
  /** The validated `auth` block; handed to the plugin's `createAuth` (header, basic, session log-on). */
  auth: Auth;
  /** The validated `options` block (default `{}`; required when the plugin's options have a required field). */
  options?: Options;
  /** The run's clock (default `TEST_NOW`); each call returns a fresh copy. */
  now?: Date;
  /** The service catalog (default none). */
  services?: ServiceKeys[];
  /** Receives every wait the client asks for (retry backoff, Retry-After) instead of waiting it. */
  sleeps?: number[];
  /**
   * Further attempts after a retryable failure (default 1: each failing scenario takes two
   * interceptors). Backoff starts at 1 ms, and nothing really waits.
   */
  retries?: number;
  /** Given to the plugin and to its HTTP client (default: drops every line). */
  logger?: PluginLogger;
}

/** What a test context is made of; `options` may be left out when the plugin's options are all optional. */
export type PluginTestOptions<Auth, Options> = TestContextBase<Auth, Options> &
  (Partial<Options> extends Options ? unknown : { options: Options });

/** The `PluginContext` the hub would give `plugin`, with a recording sleep and a fixed clock. */
export function pluginTestContext<Auth extends object, Options extends object>(
  plugin: AuditHubPlugin<Auth, Options>,
  test: PluginTestOptions<Auth, Options>,
): PluginContext<Auth, Options> {
  const options = (test.options ?? {}) as Options;
  const logger = test.logger ?? noopLogger;
  const now = test.now ?? TEST_NOW;
  const sleeps = test.sleeps;
  const http = new HttpClient({
    connector: test.connectorId,
    baseUrl: test.baseUrl,
    auth: plugin.createAuth?.(test.auth, options),
    headers: plugin.defaultHeaders,
    retry: { retries: test.retries ?? 1, baseDelayMs: 1 },
    logger,
    // The run's clock, which never moves: a wait is recorded, not slept.
    clock: {
      now: () => now.getTime(),
      sleep: async (ms) => {
        sleeps?.push(ms);
      },
    },
  });
  return {
    connectorId: test.connectorId,
    baseUrl: test.baseUrl,
    auth: test.auth,
    options,
    http,
    logger,
    signal: new AbortController().signal,
    now: () => new Date(now),
    services: test.services ?? [],
  };
}

/** `plugin.connect` on a `pluginTestContext`. */
export async function connectForTest<Auth extends object, Options extends object>(
  plugin: AuditHubPlugin<Auth, Options>,
  test: PluginTestOptions<Auth, Options>,
): Promise<Connection> {
  return plugin.connect(pluginTestContext(plugin, test));
}

/** Every batch one read of the stream `name` yields, in order (throws when the stream fails). */
export async function readBatches(connection: Connection, name: string, input: ReadInput): Promise<Batch[]> {
  const stream = connection.streams.find((s) => s.name === name);
  if (!stream) {
    const names = connection.streams.map((s) => s.name).join(', ') || 'none';
    throw new Error(`the connection has no ${name} stream (it has: ${names})`);
  }
  const batches: Batch[] = [];
  for await (const batch of stream.read(input)) batches.push(batch);
  return batches;
}

/** The records of one kind across batches, by externalId (a later batch's record wins). */
export function recordsByKind<K extends RecordKind>(
  batches: Batch[],
  kind: K,
): Map<string, NormalizedRecord<K>> {
  const out = new Map<string, NormalizedRecord<K>>();
  for (const batch of batches) {
    for (const record of batch.records)
      if (record.kind === kind) out.set(record.externalId, record as NormalizedRecord<K>);
  }
  return out;
}
