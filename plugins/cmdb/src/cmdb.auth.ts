/** How the HTTP client authenticates to the ServiceNow instance: basic auth, or an OAuth 2.0 bearer token. */
import { type AuthStrategy, basicAuth, bearerAuth } from '@audit-hub/http';
import type { CmdbAuth } from './cmdb.config';

export function createCmdbAuth(auth: CmdbAuth): AuthStrategy {
  if (auth.token) return bearerAuth(auth.token);
  if (auth.username && auth.password) return basicAuth(auth.username, auth.password);
  throw new Error('cmdb: auth needs username and password, or token');
}
