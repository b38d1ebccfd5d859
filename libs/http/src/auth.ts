import type { AuthClient, AuthStrategy } from './types';

/** Fixed headers (`PRIVATE-TOKEN`, `X-Vault-Token`, `X-Vault-Namespace`…); every value is treated as a secret. */
export function headerAuth(headers: Record<string, string>): AuthStrategy {
  const fixed = { ...headers };
  return {
    secrets: Object.values(fixed).filter((value) => value.length > 0),
    headers: async () => ({ ...fixed }),
  };
}

/** `Authorization: Bearer <token>`, or another scheme (`token` for GitHub, `Token` for NetBox). */
export function bearerAuth(token: string, scheme = 'Bearer'): AuthStrategy {
  const value = scheme ? `${scheme} ${token}` : token;
  return {
    secrets: [token, value].filter((secret) => secret.length > 0),
    headers: async () => ({ Authorization: value }),
  };
}

/**
 * HTTP Basic. The password and the encoded credentials are secrets; with an empty password the user
 * name is one too, since SonarQube takes a token as the user name with an empty password.
 */
export function basicAuth(username: string, password: string): AuthStrategy {
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  const secret = password.length > 0 ? password : username;
  return {
    secrets: [secret, encoded, `Basic ${encoded}`].filter((value) => value.length > 0),
    headers: async () => ({ Authorization: `Basic ${encoded}` }),
  };
}

export interface SessionAuthOptions {
  /**
   * Logs on and returns the headers that carry the session (CyberArk: `Authorization: <token>`).
   * Send the log-on request with `anonymous: true`, or it would wait for itself.
   */
  logon(client: AuthClient): Promise<Record<string, string>>;
  /** Ends the session; called by `close` with the session headers (send them with `anonymous: true`). */
  logoff?(client: AuthClient, headers: Record<string, string>): Promise<void>;
  /** Values to redact besides the session headers (the log-on password). */
  secrets?: string[];
}

/**
 * A log-on session (CyberArk PVWA `auth/<method>/Logon` … `Auth/Logoff`). It logs on at the first
 * request; requests that arrive while the log-on is under way share it. After a 401 the client calls
 * `invalidate` and retries once, which logs on again. The session header values become secrets.
 */
export function sessionAuth(opts: SessionAuthOptions): AuthStrategy {
  const secrets = [...(opts.secrets ?? [])].filter((value) => value.length > 0);
  let session: Record<string, string> | null = null;
  let pending: Promise<Record<string, string>> | null = null;

  const logon = async (client: AuthClient): Promise<Record<string, string>> => {
    const headers = await opts.logon(client);
    for (const value of Object.values(headers)) {
      if (value.length === 0) continue;
      client.addSecret(value);
      if (!secrets.includes(value)) secrets.push(value);
    }
    session = headers;
    return headers;
  };

  return {
    secrets,
    async headers(client) {
      if (session) return { ...session };
      pending ??= logon(client).finally(() => {
        pending = null;
      });
      return { ...(await pending) };
    },
    invalidate(used) {
      // A request refused with an older session must not drop the one that replaced it.
      if (!used || (session && sameHeaders(session, used))) session = null;
      return true;
    },
    async close(client) {
      const ended = session;
      session = null;
      if (ended && opts.logoff) await opts.logoff(client, ended);
    },
  };
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(a).every(([name, value]) => b[name] === value);
}
