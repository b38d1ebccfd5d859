/**
 * How the HTTP client authenticates to SonarQube: the user token as `Authorization: Bearer`
 * (documented since 10.0), or as the basic-auth user name with an empty password (every version;
 * servers before 10.0 ignore a bearer header and treat the request as anonymous).
 */
import { type AuthStrategy, basicAuth, bearerAuth } from '@audit-hub/http';
import type { SonarQubeAuth, SonarQubeOptions } from './sonarqube.config';

export function createSonarQubeAuth(auth: SonarQubeAuth, options?: SonarQubeOptions | null): AuthStrategy {
  if (!auth?.token) throw new Error('sonarqube: auth.token is required');
  return options?.authScheme === 'basic' ? basicAuth(auth.token, '') : bearerAuth(auth.token);
}
