/** The `servicenow` connector: change requests, their approvals, users and group memberships (Table API). */
import { SDK_VERSION, definePlugin } from '@audit-hub/plugin-sdk';
import { createServiceNowAuth } from '@audit-hub/servicenow-table';
import { ServiceNowAuth, ServiceNowOptions } from './servicenow.config';
import { connectServiceNow } from './servicenow.connection';

export const plugin = definePlugin<ServiceNowAuth, ServiceNowOptions>({
  manifest: {
    id: 'servicenow',
    name: 'ServiceNow',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['changes', 'identities', 'groups'],
    description:
      'Change requests and their approvals, users and group memberships from the ServiceNow Table API.',
  },
  configSchema: { auth: ServiceNowAuth, options: ServiceNowOptions },
  createAuth: (auth) => createServiceNowAuth(auth, 'servicenow'),
  defaultHeaders: { Accept: 'application/json' },
  connect: (ctx) => connectServiceNow(ctx),
});

export default plugin;

export { ServiceNowAuth, ServiceNowOptions, DEFAULT_STATE_MAP, resolveOptions } from './servicenow.config';
export type { ResolvedServiceNowOptions } from './servicenow.config';
export { mapChange, CHANGE_FIELDS } from './servicenow-change.mapper';
export { mapApproval, APPROVAL_FIELDS } from './servicenow-approval.mapper';
export { mapUser, USER_FIELDS } from './servicenow-user.mapper';
export { mapGroupMember, GROUP_MEMBER_FIELDS } from './servicenow-group-member.mapper';
export { ServiceNowTableClient } from '@audit-hub/servicenow-table';
