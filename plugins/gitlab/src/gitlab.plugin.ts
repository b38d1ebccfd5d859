/** The `gitlab` connector: deployments with their shipped MRs and deployed commits (GitLab REST v4). */
import { headerAuth } from '@audit-hub/http';
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { checkConnection } from './gitlab-connection.check';
import { createDeploymentsStream } from './gitlab-deployments.stream';
import { createGroupMembersStream } from './gitlab-group-members.stream';
import { createRepositoryConnection } from './gitlab-shipped-range.reader';
import { GitLabAuth, GitLabOptions, resolveOptions } from './gitlab.config';
import { GitLabClient } from './gitlab.client';

export const plugin = definePlugin<GitLabAuth, GitLabOptions>({
  manifest: {
    id: 'gitlab',
    name: 'GitLab',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['deployments', 'merge-requests', 'commits', 'groups'],
    description:
      'Deployments (with tier, variables, approvals, test report), the merge requests shipped with them and the deployed commits with their signatures; for deployments made by Jenkins, what shipped in the service repository; the members of the configured groups with their access level.',
  },
  configSchema: { auth: GitLabAuth, options: GitLabOptions },
  /** GitLab takes a personal, project or group access token in `PRIVATE-TOKEN`. */
  createAuth: (auth) => headerAuth({ 'PRIVATE-TOKEN': auth.token }),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new GitLabClient(ctx.http, options.perPage);
    return {
      check: () =>
        checkConnection(
          client,
          options,
          // The repositories the catalog names for this connector (by its id, else `gitlab`).
          [...new Set(ctx.services.map((s) => s.keys[ctx.connectorId] ?? s.keys.gitlab).filter(Boolean))],
        ),
      streams: [
        createDeploymentsStream({ client, options, logger: ctx.logger }),
        createGroupMembersStream({
          client,
          groups: options.groups,
          connectorId: ctx.connectorId,
          now: ctx.now,
        }),
      ],
      repository: createRepositoryConnection(client),
    };
  },
});
