import { basicAuth, bearerAuth, headerAuth, sessionAuth } from './auth';
import type { AuthClient, HttpRequest, HttpResponse } from './types';

/** An AuthClient that records added secrets; session tests never send a request through it. */
function fakeClient(): AuthClient & { added: string[] } {
  const added: string[] = [];
  return {
    added,
    addSecret: (value) => added.push(value),
    request: async <T>(req: HttpRequest): Promise<HttpResponse<T>> => {
      throw new Error(`unexpected request ${req.path}`);
    },
  };
}

describe('static auth strategies', () => {
  it('headerAuth sends the headers and treats their values as secrets', async () => {
    const auth = headerAuth({ 'X-Vault-Token': 'hvs.abc', 'X-Vault-Namespace': 'team' });
    await expect(auth.headers(fakeClient())).resolves.toEqual({
      'X-Vault-Token': 'hvs.abc',
      'X-Vault-Namespace': 'team',
    });
    expect(auth.secrets).toEqual(['hvs.abc', 'team']);
  });

  it('bearerAuth sends the scheme and token', async () => {
    await expect(bearerAuth('pat').headers(fakeClient())).resolves.toEqual({ Authorization: 'Bearer pat' });
    const netbox = bearerAuth('nbt', 'Token');
    await expect(netbox.headers(fakeClient())).resolves.toEqual({ Authorization: 'Token nbt' });
    expect(netbox.secrets).toEqual(['nbt', 'Token nbt']);
  });

  it('basicAuth encodes user:password; the password and the encoding are secrets', async () => {
    const auth = basicAuth('svc', 'pw:é');
    const encoded = Buffer.from('svc:pw:é', 'utf8').toString('base64');
    await expect(auth.headers(fakeClient())).resolves.toEqual({ Authorization: `Basic ${encoded}` });
    expect(auth.secrets).toEqual(['pw:é', encoded, `Basic ${encoded}`]);
  });

  it('basicAuth with an empty password treats the user name as the secret (SonarQube token)', () => {
    expect(basicAuth('squ_token', '').secrets[0]).toBe('squ_token');
  });
});

describe('sessionAuth', () => {
  function counted() {
    let logons = 0;
    const logoffs: Record<string, string>[] = [];
    let release: () => void = () => undefined;
    const auth = sessionAuth({
      logon: async () => {
        const n = ++logons;
        await new Promise<void>((resolve) => (release = resolve));
        return { Authorization: `token-${n}` };
      },
      logoff: async (_client, headers) => {
        logoffs.push(headers);
      },
      secrets: ['logon-password'],
    });
    return { auth, logoffs, logons: () => logons, release: () => release() };
  }

  it('shares one log-on among concurrent first requests and registers the session as a secret', async () => {
    const { auth, logons, release } = counted();
    const client = fakeClient();
    const all = Promise.all([auth.headers(client), auth.headers(client), auth.headers(client)]);
    release();
    expect(await all).toEqual([
      { Authorization: 'token-1' },
      { Authorization: 'token-1' },
      { Authorization: 'token-1' },
    ]);
    expect(logons()).toBe(1);
    expect(client.added).toEqual(['token-1']);
    expect(auth.secrets).toEqual(['logon-password', 'token-1']);
  });

  it('drops the session that failed, but not one that already replaced it', async () => {
    const { auth, logons, release } = counted();
    const client = fakeClient();
    const first = auth.headers(client);
    release();
    const old = await first;
    expect(auth.invalidate?.(old)).toBe(true);
    const renewed = auth.headers(client);
    release();
    expect(await renewed).toEqual({ Authorization: 'token-2' });
    // A late 401 from a request sent with token-1 must not throw token-2 away.
    expect(auth.invalidate?.(old)).toBe(true);
    await expect(auth.headers(client)).resolves.toEqual({ Authorization: 'token-2' });
    expect(logons()).toBe(2);
  });

  it('tries again after a failed log-on', async () => {
    let attempts = 0;
    const auth = sessionAuth({
      logon: async () => {
        if (++attempts === 1) throw new Error('PVWA down');
        return { Authorization: 'tok' };
      },
    });
    await expect(auth.headers(fakeClient())).rejects.toThrow('PVWA down');
    await expect(auth.headers(fakeClient())).resolves.toEqual({ Authorization: 'tok' });
  });

  it('logs off only when logged on, and only once', async () => {
    const { auth, logoffs, release } = counted();
    const client = fakeClient();
    await auth.close?.(client);
    expect(logoffs).toEqual([]);
    const headers = auth.headers(client);
    release();
    await headers;
    await auth.close?.(client);
    await auth.close?.(client);
    expect(logoffs).toEqual([{ Authorization: 'token-1' }]);
  });
});
