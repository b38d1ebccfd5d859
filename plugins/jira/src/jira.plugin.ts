/** The `jira` connector: a remediation tracker on Jira Cloud (REST v3) or Data Center (REST v2). */
import { basicAuth, bearerAuth } from '@audit-hub/http';
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { checkConnection } from './jira-connection.check';
import { JiraAuth, JiraOptions, resolveOptions } from './jira.config';
import { JiraClient } from './jira.client';
import { createJiraTracker } from './jira.tracker';

export const plugin = definePlugin<JiraAuth, JiraOptions>({
  manifest: {
    id: 'jira',
    name: 'Jira',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['tracker'],
    description:
      'Files remediation tickets in a Jira project and keeps them in step with their findings: comment, close, reopen.',
  },
  configSchema: { auth: JiraAuth, options: JiraOptions },
  /** Cloud: Basic with the account e-mail and an API token. Data Center: a personal access token as Bearer. */
  createAuth: (auth) => (auth.email ? basicAuth(auth.email, auth.token) : bearerAuth(auth.token)),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options, ctx.baseUrl);
    const client = new JiraClient(ctx.http, options.flavor);
    return {
      check: () => checkConnection(client, options),
      streams: [],
      tracker: createJiraTracker(client, options),
    };
  },
});
