import { UpstreamError } from '@audit-hub/http';
import { checkAccess } from './cmdb-access.check';
import type { ServiceNowTableClient } from '@audit-hub/servicenow-table';

const options = { table: 'cmdb_ci_appl', nameField: 'name', pageSize: 1000 };

describe('cmdb checkAccess', () => {
  it('reports an instance that does not answer, and leaves the credentials unchecked', async () => {
    const error = new UpstreamError({
      connector: 'cmdb',
      method: 'GET',
      path: '/api/now/table/cmdb_ci_appl',
      code: 'network',
      retryable: true,
      detail: 'getaddrinfo ENOTFOUND acme.service-now.com',
    });
    const client = { probe: () => Promise.reject(error) } as unknown as ServiceNowTableClient;
    expect(await checkAccess(client, options)).toEqual([
      { name: 'reachable', ok: false, detail: expect.stringContaining('ENOTFOUND') },
      { name: 'credentials', ok: false, detail: 'not checked: the instance did not answer' },
    ]);
  });
});
