import type { AuthClient } from '@audit-hub/http';
import { vaultAuth } from './vault.auth';

const client = {} as AuthClient;

describe('vault auth', () => {
  it('sends the token, and the namespace only when there is one', async () => {
    expect(await vaultAuth('hvs.t0ken', '').headers(client)).toEqual({ 'X-Vault-Token': 'hvs.t0ken' });
    expect(await vaultAuth('hvs.t0ken', 'admin').headers(client)).toEqual({
      'X-Vault-Token': 'hvs.t0ken',
      'X-Vault-Namespace': 'admin',
    });
  });

  it('treats the token as the only secret: the namespace may be shown in errors', () => {
    expect(vaultAuth('hvs.t0ken', 'admin').secrets).toEqual(['hvs.t0ken']);
  });
});
