/**
 * The SonarQube server version, and what it decides: how a user token is sent. SonarQube 9.9 LTS
 * reads a token only as the basic-auth user name with an empty password (`BasicAuthentication`
 * looks at `Basic` headers alone, and `RequestAuthenticatorImpl` serves any other request as
 * anonymous); the bearer scheme is documented from 10.0 ("Web API" page of each version's docs).
 * `api/server/version` answers the version in plain text (`9.9.4.87374`), without authentication.
 */

export interface SonarVersion {
  /** As the server wrote it. */
  text: string;
  major: number;
  minor: number;
}

/** The first version whose Web API reads `Authorization: Bearer <token>`. */
export const BEARER_SINCE_MAJOR = 10;

/** `9.9.4.87374` → {major 9, minor 9}; undefined when the text is not a version. */
export function parseSonarVersion(value: unknown): SonarVersion | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = /^(\d+)\.(\d+)(?:\.\d+)*(?:[-.+][0-9A-Za-z.-]*)?$/.exec(text);
  if (!match) return undefined;
  return { text, major: Number(match[1]), minor: Number(match[2]) };
}

/**
 * The scheme a token must be sent with on that server: `bearer` from 10.0, `basic` before it and
 * when the version is unknown (every version reads the basic form).
 */
export function schemeFor(version: SonarVersion | undefined): 'bearer' | 'basic' {
  return version && version.major >= BEARER_SINCE_MAJOR ? 'bearer' : 'basic';
}

/** Whether a server of that version reads a bearer token (false when unknown). */
export function readsBearer(version: SonarVersion | undefined): boolean {
  return schemeFor(version) === 'bearer';
}
