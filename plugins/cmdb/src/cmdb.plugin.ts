/** The `cmdb` connector: the configuration items of a ServiceNow CMDB table (Table API). */
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { createServiceNowAuth, ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { checkAccess } from './cmdb-access.check';
import { createInventoryStream } from './cmdb-inventory.stream';
import { CmdbAuth, CmdbOptions, resolveOptions } from './cmdb.config';

export const plugin = definePlugin<CmdbAuth, CmdbOptions>({
  manifest: {
    id: 'cmdb',
    name: 'ServiceNow CMDB',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['inventory'],
    description:
      'Configuration items (name, class, version, environment, install status, criticality, support group) from a ServiceNow CMDB table, cmdb_ci_appl by default.',
  },
  configSchema: { auth: CmdbAuth, options: CmdbOptions },
  createAuth: (auth) => createServiceNowAuth(auth, 'cmdb'),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new ServiceNowTableClient(ctx.http, options.pageSize, () => ctx.now());
    return {
      check: () => checkAccess(client, options),
      streams: [createInventoryStream(client, options, (text) => ctx.http.redact(text))],
    };
  },
});
