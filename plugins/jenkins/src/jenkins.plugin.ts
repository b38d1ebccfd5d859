/** The `jenkins` connector: deployments (builds of deploy jobs) and the builds that produce artifacts. */
import { basicAuth } from '@audit-hub/http';
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { createBuildsStream } from './jenkins-builds.stream';
import { checkConnection } from './jenkins-connection.check';
import { createDeploymentsStream } from './jenkins-deployments.stream';
import { JenkinsAuth, JenkinsOptions, resolveOptions } from './jenkins.config';
import { JenkinsClient } from './jenkins.client';

export const plugin = definePlugin<JenkinsAuth, JenkinsOptions>({
  manifest: {
    id: 'jenkins',
    name: 'Jenkins',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['deployments', 'builds'],
    description:
      'Builds of deploy jobs as deployments (environment and version parameters, deployed commit, causes, input approvals, test results, fingerprints), and the builds that produced the artifacts.',
  },
  configSchema: { auth: JenkinsAuth, options: JenkinsOptions },
  /** HTTP basic with the user and an API token; API-token requests need no CSRF crumb. */
  createAuth: (auth) => basicAuth(auth.username, auth.token),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new JenkinsClient(ctx.http);
    const deps = {
      client,
      options,
      logger: ctx.logger,
      services: ctx.services,
      connectorId: ctx.connectorId,
    };
    return {
      check: () => checkConnection(client, options, { services: ctx.services, connectorId: ctx.connectorId }),
      streams: [createDeploymentsStream(deps), createBuildsStream(deps)],
    };
  },
});
