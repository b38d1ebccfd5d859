/** A tracker for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import { HttpClient } from '@audit-hub/http';
import type { Connection, PluginLogger, TrackerConnection } from '@audit-hub/plugin-sdk';
import { plugin, type GitLabIssuesOptions } from '../src';

export const BASE = 'https://gitlab.example.com';
/** Looks like a GitLab PAT; tests assert it never shows in an error or a check result. */
export const TOKEN = 'glpat-Zx9kQ7vTestTokenNeverPrinted';

const noopLogger: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export async function connect(
  options: GitLabIssuesOptions = { project: 'my-group/my-project' },
): Promise<Connection> {
  const auth = { token: TOKEN };
  const http = new HttpClient({
    connector: 'gitlab-issues',
    baseUrl: BASE,
    auth: plugin.createAuth?.(auth, options),
    headers: plugin.defaultHeaders,
    retry: { retries: 1, baseDelayMs: 1 },
    sleep: async () => {},
  });
  return plugin.connect({
    connectorId: 'gitlab-issues',
    baseUrl: BASE,
    auth,
    options,
    http,
    logger: noopLogger,
    signal: new AbortController().signal,
    now: () => new Date('2026-03-01T00:00:00.000Z'),
    services: [],
  });
}

export async function tracker(options?: GitLabIssuesOptions): Promise<TrackerConnection> {
  const connection = await connect(options);
  if (!connection.tracker) throw new Error('the gitlab-issues plugin offers no tracker');
  return connection.tracker;
}
