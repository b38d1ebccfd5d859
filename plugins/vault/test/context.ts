/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { Batch, Connection, PluginContext } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
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
  return pluginTestContext(plugin, {
    connectorId: CONNECTOR,
    baseUrl: hooks.baseUrl ?? BASE,
    auth: { token: TOKEN },
    options,
    now: NOW,
    sleeps: hooks.sleeps,
  });
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
  return readBatches(await connect(options, hooks), name, { cursor: null, full: false, since: new Date(0) });
}

/** The records of one kind across batches, by externalId. */
export { recordsByKind as recordsOf } from '@audit-hub/plugin-sdk/testing';
