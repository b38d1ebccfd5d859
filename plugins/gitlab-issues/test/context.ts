/** A tracker for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { Connection, TrackerConnection } from '@audit-hub/plugin-sdk';
import { connectForTest } from '@audit-hub/plugin-sdk/testing';
import { plugin, type GitLabIssuesOptions } from '../src';

export const BASE = 'https://gitlab.example.com';
/** Looks like a GitLab PAT; tests assert it never shows in an error or a check result. */
export const TOKEN = 'glpat-Zx9kQ7vTestTokenNeverPrinted';

export async function connect(
  options: GitLabIssuesOptions = { project: 'my-group/my-project' },
): Promise<Connection> {
  return connectForTest(plugin, {
    connectorId: 'gitlab-issues',
    baseUrl: BASE,
    auth: { token: TOKEN },
    options,
    now: new Date('2026-03-01T00:00:00.000Z'),
  });
}

export async function tracker(options?: GitLabIssuesOptions): Promise<TrackerConnection> {
  const connection = await connect(options);
  if (!connection.tracker) throw new Error('the gitlab-issues plugin offers no tracker');
  return connection.tracker;
}
