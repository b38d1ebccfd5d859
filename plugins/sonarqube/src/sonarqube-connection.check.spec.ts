import { HttpClient, UpstreamError } from '@audit-hub/http';
import { checkConnection } from './sonarqube-connection.check';
import type { SonarQubeClient } from './sonarqube.client';

function clientFailing(error: UpstreamError): SonarQubeClient {
  const http = new HttpClient({ connector: 'sonarqube', baseUrl: 'https://sonar.example.com' });
  const fail = () => Promise.reject(error);
  return { http, systemStatus: fail, validate: fail } as unknown as SonarQubeClient;
}

describe('sonarqube checkConnection', () => {
  it('reports an unreachable server with the reason, and checks nothing further', async () => {
    const error = new UpstreamError({
      connector: 'sonarqube',
      method: 'GET',
      path: '/api/system/status',
      code: 'network',
      retryable: true,
      detail: 'connect ECONNREFUSED 203.0.113.9:443',
    });
    expect(await checkConnection(clientFailing(error), { projects: ['p'], authScheme: 'bearer' })).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
        affects: { kinds: ['quality-gate'] },
      },
    ]);
  });

  it('says the token was refused when a proxy answers 401 before SonarQube', async () => {
    const error = new UpstreamError({
      connector: 'sonarqube',
      method: 'GET',
      path: '/api/system/status',
      status: 401,
      code: 'unauthorized',
      retryable: false,
    });
    expect(await checkConnection(clientFailing(error), { projects: [], authScheme: 'bearer' })).toEqual([
      { name: 'reachable', ok: true },
      {
        name: 'credentials',
        ok: false,
        detail: expect.stringContaining('the token was refused (401)'),
        affects: { kinds: ['quality-gate'] },
      },
    ]);
  });
});
