/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { NormalizedRecord } from '@audit-hub/domain';
import { HttpClient } from '@audit-hub/http';
import type { Batch, Connection, Cursor, PluginContext, PluginLogger } from '@audit-hub/plugin-sdk';
import { plugin, type SonarQubeAuth, type SonarQubeOptions } from '../src';

export const BASE = 'https://sonar.example.com';
/** Looks like a SonarQube user token; tests assert it never shows in an error, a problem or a check. */
export const TOKEN = 'squ_3f9c1e7a0b5d42c8a6e1TestTokenNeverPrinted';
export const JSON_HEADERS = { 'Content-Type': 'application/json' };
/** `collect.since` of the tests: before every analysis of the real sample (2015-11-11 … 2016-12-12). */
export const SINCE = new Date('2015-01-01T00:00:00.000Z');
export const SINCE_PARAM = '2015-01-01T00:00:00+0000';

const noopLogger: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
}

export function makeContext(
  options: SonarQubeOptions = {},
  hooks: TestHooks = {},
): PluginContext<SonarQubeAuth, SonarQubeOptions> {
  const auth: SonarQubeAuth = { token: TOKEN };
  const http = new HttpClient({
    connector: 'sonarqube',
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
    connectorId: 'sonarqube',
    baseUrl: BASE,
    auth,
    options,
    http,
    logger: noopLogger,
    signal: new AbortController().signal,
    now: () => new Date('2017-01-01T00:00:00.000Z'),
    services: [],
  };
}

export async function connect(options: SonarQubeOptions = {}, hooks: TestHooks = {}): Promise<Connection> {
  return plugin.connect(makeContext(options, hooks));
}

/** Every batch of the `quality-gates` stream for one read. */
export async function readGates(
  options: SonarQubeOptions = {},
  cursor: Cursor | null = null,
  since: Date = SINCE,
  hooks: TestHooks = {},
): Promise<Batch[]> {
  const connection = await connect(options, hooks);
  const stream = connection.streams.find((s) => s.name === 'quality-gates');
  if (!stream) throw new Error('the sonarqube plugin has no quality-gates stream');
  const batches: Batch[] = [];
  for await (const batch of stream.read({ cursor, full: false, since })) batches.push(batch);
  return batches;
}

/** The records across batches, in order, without `raw`. */
export function recordsOf(batches: Batch[]): Omit<NormalizedRecord<'quality-gate'>, 'raw'>[] {
  return batches.flatMap((batch) =>
    batch.records.map((record) => {
      const { kind, externalId, data } = record as NormalizedRecord<'quality-gate'>;
      return { kind, externalId, data };
    }),
  );
}

/** The cursors the batches carry, in order. */
export function cursorsOf(batches: Batch[]): Cursor[] {
  return batches.flatMap((batch) => (batch.cursor === undefined ? [] : [batch.cursor]));
}
