/** The nock side of the contract tests (kept apart: importing nock breaks `LIST` in that test file). */
import nock from 'nock';
import { BASE, TOKEN } from './context';

/** A Vault scope that requires the token, and refuses a namespace header unless one is expected. */
export function vault(namespace?: string): nock.Scope {
  return namespace
    ? nock(BASE, { reqheaders: { 'x-vault-token': TOKEN, 'x-vault-namespace': namespace } })
    : nock(BASE, { reqheaders: { 'x-vault-token': TOKEN }, badheaders: ['x-vault-namespace'] });
}
