/** A ServiceNow connector instance: its access check and its four streams. */
import type { Connection, PluginContext } from '@audit-hub/plugin-sdk';
import { ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { checkAccess } from './servicenow-access.check';
import { approvalsStream } from './servicenow-approvals.stream';
import { changesStream } from './servicenow-changes.stream';
import { groupsStream } from './servicenow-groups.stream';
import { usersStream } from './servicenow-users.stream';
import { type ServiceNowAuth, type ServiceNowOptions, resolveOptions } from './servicenow.config';

export function connectServiceNow(ctx: PluginContext<ServiceNowAuth, ServiceNowOptions>): Connection {
  const options = resolveOptions(ctx.options);
  const client = new ServiceNowTableClient(ctx.http, options.pageSize, () => ctx.now());
  const redact = (text: string) => ctx.http.redact(text);
  return {
    check: () => checkAccess(client, options),
    streams: [
      changesStream(client, options, redact),
      approvalsStream(client, redact),
      usersStream(client, redact),
      groupsStream(client, ctx.connectorId, redact),
    ],
  };
}
