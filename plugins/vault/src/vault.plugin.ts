/** The `vault` connector: who holds which policy, and identity group memberships (Vault HTTP API v1). */
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { checkConnection } from './vault-connection.check';
import { createEntitlementsStream } from './vault-entitlements.stream';
import { createGroupsStream } from './vault-groups.stream';
import { vaultAuth } from './vault.auth';
import { VaultClient } from './vault.client';
import { resolveOptions, VaultAuth, VaultOptions } from './vault.config';

export const plugin = definePlugin<VaultAuth, VaultOptions>({
  manifest: {
    id: 'vault',
    name: 'HashiCorp Vault',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['entitlements', 'groups'],
    description:
      'The policies each identity entity holds, directly or through identity groups and their parents, and the direct members of each identity group.',
  },
  configSchema: { auth: VaultAuth, options: VaultOptions },
  /**
   * `X-Vault-Token`, and `X-Vault-Namespace` on every request when a namespace is configured (a
   * request to one of `options.namespaces` sends that namespace's own header instead).
   */
  createAuth: (auth, options) => vaultAuth(auth.token, resolveOptions(options).namespace),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new VaultClient(ctx.http, options.listMethod, options.namespace);
    const deps = { client, options, logger: ctx.logger };
    return {
      check: () => checkConnection(client, options),
      streams: [
        createEntitlementsStream(deps),
        createGroupsStream({ ...deps, connectorId: ctx.connectorId }),
      ],
    };
  },
});
