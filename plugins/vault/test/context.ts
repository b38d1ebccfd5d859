/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import { HttpClient } from '@audit-hub/http';
import type { Batch, Connection, PluginContext, PluginLogger } from '@audit-hub/plugin-sdk';
import { plugin, type VaultAuth, type VaultOptions } from '../src';

export const BASE = 'https://vault.example.com';
export const CONNECTOR = 'vault-prod';
/** Looks like a Vault service token; tests assert it never shows in an error, a problem, a record or a check. */
export const TOKEN = 'hvs.CAESIJtestTokenNeverPrinted7Qx';
export const NOW = new Date('2024-05-01T00:00:00.000Z');
export const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * nock cannot replay `LIST`: its interceptor reads the outgoing request with Node's HTTP parser,
 * which rejects that method (shared/spec/stack.md), and the request never completes. Tests through
 * nock list with `GET ?list=true`; vault-list-method.contract.spec.ts covers `LIST` on a raw server.
 */
export const OVER_NOCK: VaultOptions = { listMethod: 'GET' };

const noopLogger: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
  /** Another Vault address (the raw server of the LIST tests). */
  baseUrl?: string;
}

export function makeContext(
  options: VaultOptions = {},
  hooks: TestHooks = {},
): PluginContext<VaultAuth, VaultOptions> {
  const auth: VaultAuth = { token: TOKEN };
  const baseUrl = hooks.baseUrl ?? BASE;
  const http = new HttpClient({
    connector: CONNECTOR,
    baseUrl,
    auth: plugin.createAuth?.(auth, options),
    headers: plugin.defaultHeaders,
    // One retry keeps each failing scenario to two interceptors; no real waiting.
    retry: { retries: 1, baseDelayMs: 1 },
    sleep: async (ms) => {
      hooks.sleeps?.push(ms);
    },
  });
  return {
    connectorId: CONNECTOR,
    baseUrl,
    auth,
    options,
    http,
    logger: noopLogger,
    signal: new AbortController().signal,
    now: () => NOW,
    services: [],
  };
}

export async function connect(options: VaultOptions = {}, hooks: TestHooks = {}): Promise<Connection> {
  return plugin.connect(makeContext(options, hooks));
}

/** Every batch of one stream for one read. */
export async function readStream(
  name: 'entitlements' | 'groups',
  options: VaultOptions = {},
  hooks: TestHooks = {},
): Promise<Batch[]> {
  const connection = await connect(options, hooks);
  const stream = connection.streams.find((s) => s.name === name);
  if (!stream) throw new Error(`the vault plugin has no ${name} stream`);
  const batches: Batch[] = [];
  for await (const batch of stream.read({ cursor: null, full: false, since: new Date(0) }))
    batches.push(batch);
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
