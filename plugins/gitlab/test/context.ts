/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { HttpClient } from '@audit-hub/http';
import type { Batch, Connection, Cursor, PluginContext, PluginLogger } from '@audit-hub/plugin-sdk';
import { plugin, type GitLabAuth, type GitLabOptions } from '../src';

export const BASE = 'https://gitlab.example.com';
/** Looks like a GitLab PAT; tests assert it never shows in an error, a problem or a check result. */
export const TOKEN = 'glpat-Zx9kQ7vTestTokenNeverPrinted';
export const NOW = new Date('2016-09-01T00:00:00.000Z');
/** `collect.since` of the tests: the first run's `updated_after`. */
export const SINCE = new Date('2016-08-01T00:00:00.000Z');

const noopLogger: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
}

export function makeContext(
  options: GitLabOptions = {},
  hooks: TestHooks = {},
): PluginContext<GitLabAuth, GitLabOptions> {
  const auth: GitLabAuth = { token: TOKEN };
  const http = new HttpClient({
    connector: 'gitlab',
    baseUrl: BASE,
    auth: plugin.createAuth?.(auth, options),
    headers: plugin.defaultHeaders,
    // One retry keeps each failing scenario to two interceptors; no real waiting.
    retry: { retries: 1, baseDelayMs: 1 },
    sleep: async (ms) => {
      hooks.sleeps?.push(ms);
    },
  });
  return {
    connectorId: 'gitlab',
    baseUrl: BASE,
    auth,
    options,
    http,
    logger: noopLogger,
    signal: new AbortController().signal,
    now: () => NOW,
    services: [],
  };
}

export async function connect(options: GitLabOptions = {}, hooks: TestHooks = {}): Promise<Connection> {
  return plugin.connect(makeContext(options, hooks));
}

/** Every batch of the `deployments` stream for one read. */
export async function readDeployments(
  options: GitLabOptions = {},
  cursor: Cursor | null = null,
  since: Date = SINCE,
  hooks: TestHooks = {},
): Promise<Batch[]> {
  const connection = await connect(options, hooks);
  const stream = connection.streams.find((s) => s.name === 'deployments');
  if (!stream) throw new Error('the gitlab plugin has no deployments stream');
  const batches: Batch[] = [];
  for await (const batch of stream.read({ cursor, full: false, since })) batches.push(batch);
  return batches;
}

/** The records of one kind across batches, by externalId. */
export function recordsOf<K extends RecordKind>(batches: Batch[], kind: K): Map<string, NormalizedRecord<K>> {
  const out = new Map<string, NormalizedRecord<K>>();
  for (const batch of batches) {
    for (const record of batch.records)
      if (record.kind === kind) out.set(record.externalId, record as NormalizedRecord<K>);
  }
  return out;
}
