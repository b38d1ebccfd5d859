/**
 * How the HTTP client authenticates to a ServiceNow instance: basic auth, or an OAuth 2.0 bearer
 * token. Both the servicenow and the cmdb plugin hand it their validated `auth` block.
 */
import { type AuthStrategy, basicAuth, bearerAuth } from '@audit-hub/http';
import type { ServiceNowAuth } from './servicenow-auth.config';

/**
 * The token when one is given, else basic auth. `plugin` (`servicenow`, `cmdb`) opens the error
 * thrown for a block with neither, so the message names the connector type it came from.
 */
export function createServiceNowAuth(auth: ServiceNowAuth, plugin: string): AuthStrategy {
  if (auth.token) return bearerAuth(auth.token);
  if (auth.username && auth.password) return basicAuth(auth.username, auth.password);
  throw new Error(`${plugin}: auth needs username and password, or token`);
}
