/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { Batch, Connection, Cursor, PluginContext } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin, type SonarQubeAuth, type SonarQubeOptions } from '../src';

export const BASE = 'https://sonar.example.com';
/** Looks like a SonarQube user token; tests assert it never shows in an error, a problem or a check. */
export const TOKEN = 'squ_3f9c1e7a0b5d42c8a6e1TestTokenNeverPrinted';
export const JSON_HEADERS = { 'Content-Type': 'application/json' };
/** `collect.since` of the tests: before every analysis of the real sample (2015-11-11 … 2016-12-12). */
export const SINCE = new Date('2015-01-01T00:00:00.000Z');
export const SINCE_PARAM = '2015-01-01T00:00:00+0000';

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
}

export function makeContext(
  options: SonarQubeOptions = {},
  hooks: TestHooks = {},
): PluginContext<SonarQubeAuth, SonarQubeOptions> {
  return pluginTestContext(plugin, {
    connectorId: 'sonarqube',
    baseUrl: BASE,
    auth: { token: TOKEN },
    options,
    now: new Date('2017-01-01T00:00:00.000Z'),
    sleeps: hooks.sleeps,
  });
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
  return readBatches(await connect(options, hooks), 'quality-gates', { cursor, full: false, since });
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
