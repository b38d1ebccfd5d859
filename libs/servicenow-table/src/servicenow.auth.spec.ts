import type { AuthClient } from '@audit-hub/http';
import { createServiceNowAuth } from './servicenow.auth';

const client = {} as AuthClient;

describe('createServiceNowAuth', () => {
  it('sends basic auth for username and password, and a bearer token when one is given', async () => {
    const basic = createServiceNowAuth({ username: 'audit', password: 'pw' }, 'cmdb');
    expect(await basic.headers(client)).toEqual({
      Authorization: `Basic ${Buffer.from('audit:pw').toString('base64')}`,
    });
    expect(basic.secrets).toContain('pw');
    const bearer = createServiceNowAuth({ token: 'oauth' }, 'servicenow');
    expect(await bearer.headers(client)).toEqual({ Authorization: 'Bearer oauth' });
  });

  it('names the plugin whose auth block holds neither', () => {
    expect(() => createServiceNowAuth({ username: 'audit' }, 'servicenow')).toThrow(
      'servicenow: auth needs username and password, or token',
    );
    expect(() => createServiceNowAuth({}, 'cmdb')).toThrow(
      'cmdb: auth needs username and password, or token',
    );
  });
});
