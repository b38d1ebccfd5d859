/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { PluginContext, TrackerConnection } from '@audit-hub/plugin-sdk';
import { pluginTestContext } from '@audit-hub/plugin-sdk/testing';
import { plugin, type JiraAuth, type JiraOptions } from '../src';
import type { JiraTracker } from '../src/jira.tracker';

export const CLOUD = 'https://acme.atlassian.net';
export const DATACENTER = 'https://jira.acme.example';
export const EMAIL = 'audit@acme.com';
/** Looks like an Atlassian API token; tests assert it never shows in an error or a check result. */
export const TOKEN = 'ATATT3xFfGF0TestTokenNeverPrinted';
/** The Basic credentials Jira Cloud expects: e-mail and API token. */
export const BASIC = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;

export function makeContext(
  baseUrl: string,
  options: JiraOptions,
  auth: JiraAuth = baseUrl === CLOUD ? { email: EMAIL, token: TOKEN } : { token: TOKEN },
): PluginContext<JiraAuth, JiraOptions> {
  return pluginTestContext(plugin, {
    connectorId: 'jira',
    baseUrl,
    auth,
    options,
    now: new Date('2026-03-01T00:00:00.000Z'),
  });
}

export async function tracker(
  baseUrl: string,
  options: JiraOptions = { project: 'SEC' },
): Promise<JiraTracker & TrackerConnection> {
  const connection = await plugin.connect(makeContext(baseUrl, options));
  if (!connection.tracker) throw new Error('the jira plugin offers no tracker');
  return connection.tracker as JiraTracker;
}
