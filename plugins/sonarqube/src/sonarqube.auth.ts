/**
 * How the HTTP client authenticates to SonarQube. `auto` (the default) asks the server its version
 * once (`GET /api/server/version`, anonymous, before the first authenticated request) and sends the
 * token as `Authorization: Bearer` from 10.0, as the basic-auth user name with an empty password
 * before: a 9.9 LTS server ignores a bearer header and serves the request as anonymous, where
 * private projects vanish from the searches and are refused (403) everywhere else
 * (sonarqube-version.ts). `bearer` and `basic` force one form.
 */
import { basicAuth, bearerAuth, type AuthClient, type AuthStrategy } from '@audit-hub/http';
import type { SonarQubeAuth, SonarQubeOptions } from './sonarqube.config';
import { parseSonarVersion, schemeFor } from './sonarqube-version';

/** Where the version is read (plain text, no authentication). */
export const SERVER_VERSION_PATH = '/api/server/version';

export function createSonarQubeAuth(auth: SonarQubeAuth, options?: SonarQubeOptions | null): AuthStrategy {
  if (!auth?.token) throw new Error('sonarqube: auth.token is required');
  const bearer = bearerAuth(auth.token);
  const basic = basicAuth(auth.token, '');
  const secrets = [...new Set([...bearer.secrets, ...basic.secrets])];
  const scheme = options?.authScheme ?? 'auto';
  if (scheme === 'bearer') return { secrets, headers: (client) => bearer.headers(client) };
  if (scheme === 'basic') return { secrets, headers: (client) => basic.headers(client) };

  let chosen: Promise<AuthStrategy> | null = null;
  const detect = async (client: AuthClient): Promise<AuthStrategy> => {
    try {
      const response = await client.request<string>({
        path: SERVER_VERSION_PATH,
        anonymous: true,
        responseType: 'text',
      });
      return schemeFor(parseSonarVersion(response.data)) === 'bearer' ? bearer : basic;
    } catch {
      // Not decided (the server did not answer): ask again with the next request. The basic form
      // meanwhile, which every version reads; the request itself will meet the same failure.
      chosen = null;
      return basic;
    }
  };
  return {
    secrets,
    async headers(client) {
      chosen ??= detect(client);
      return (await chosen).headers(client);
    },
  };
}
