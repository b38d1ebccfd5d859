/** How the HTTP client authenticates to ServiceNow: basic auth, or an OAuth 2.0 bearer token. */
import { type AuthStrategy, basicAuth, bearerAuth } from '@audit-hub/http';
import type { ServiceNowAuth } from './servicenow.config';

export function createServiceNowAuth(auth: ServiceNowAuth): AuthStrategy {
  if (auth.token) return bearerAuth(auth.token);
  if (auth.username && auth.password) return basicAuth(auth.username, auth.password);
  throw new Error('servicenow: auth needs username and password, or token');
}
