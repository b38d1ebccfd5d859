/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { Batch, Connection, Cursor, PluginContext } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin, type GitLabAuth, type GitLabOptions } from '../src';

export const BASE = 'https://gitlab.example.com';
/** Looks like a GitLab PAT; tests assert it never shows in an error, a problem or a check result. */
export const TOKEN = 'glpat-Zx9kQ7vTestTokenNeverPrinted';
export const NOW = new Date('2016-09-01T00:00:00.000Z');
/** `collect.since` of the tests: the first run's `updated_after`. */
export const SINCE = new Date('2016-08-01T00:00:00.000Z');

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
}

export function makeContext(
  options: GitLabOptions = {},
  hooks: TestHooks = {},
): PluginContext<GitLabAuth, GitLabOptions> {
  return pluginTestContext(plugin, {
    connectorId: 'gitlab',
    baseUrl: BASE,
    auth: { token: TOKEN },
    options,
    now: NOW,
    sleeps: hooks.sleeps,
  });
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
  return readBatches(await connect(options, hooks), 'deployments', { cursor, full: false, since });
}

/** The records of one kind across batches, by externalId. */
export { recordsByKind as recordsOf } from '@audit-hub/plugin-sdk/testing';
