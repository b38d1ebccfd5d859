/** The `gitlab-issues` connector: a remediation tracker on a GitLab project's issues (REST v4). */
import { headerAuth } from '@audit-hub/http';
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { checkConnection } from './gitlab-issues-connection.check';
import { GitLabIssuesAuth, GitLabIssuesOptions, resolveOptions } from './gitlab-issues.config';
import { GitLabIssuesClient } from './gitlab-issues.client';
import { createGitLabIssuesTracker } from './gitlab-issues.tracker';

export const plugin = definePlugin<GitLabIssuesAuth, GitLabIssuesOptions>({
  manifest: {
    id: 'gitlab-issues',
    name: 'GitLab issues',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['tracker'],
    description:
      'Files remediation tickets as issues of a GitLab project and keeps them in step with their findings: notes, close, reopen.',
  },
  configSchema: { auth: GitLabIssuesAuth, options: GitLabIssuesOptions },
  /** GitLab takes a personal, project or group access token in `PRIVATE-TOKEN`. */
  createAuth: (auth) => headerAuth({ 'PRIVATE-TOKEN': auth.token }),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new GitLabIssuesClient(ctx.http, options.project);
    return {
      check: () => checkConnection(client, options),
      streams: [],
      tracker: createGitLabIssuesTracker(client, options),
    };
  },
});
