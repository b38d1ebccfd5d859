/** The `sonarqube` connector: the quality gate of every analysis (SonarQube Web API). */
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { checkConnection } from './sonarqube-connection.check';
import { cataloguedKeys } from './sonarqube-projects.resolver';
import { createQualityGatesStream } from './sonarqube-quality-gates.stream';
import { createSonarQubeAuth } from './sonarqube.auth';
import { SonarQubeClient } from './sonarqube.client';
import { resolveOptions, SonarQubeAuth, SonarQubeOptions } from './sonarqube.config';

export const plugin = definePlugin<SonarQubeAuth, SonarQubeOptions>({
  manifest: {
    id: 'sonarqube',
    name: 'SonarQube',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['quality-gates'],
    description:
      'The quality gate status (with its conditions) of every analysis, with the analysed commit, from the SonarQube Web API.',
  },
  configSchema: { auth: SonarQubeAuth, options: SonarQubeOptions },
  createAuth: (auth, options) => createSonarQubeAuth(auth, options),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new SonarQubeClient(ctx.http, options.pageSize);
    return {
      check: () => checkConnection(client, options),
      streams: [
        createQualityGatesStream({
          client,
          options,
          logger: ctx.logger,
          catalogue: cataloguedKeys(ctx.services, ctx.connectorId),
        }),
      ],
    };
  },
});
