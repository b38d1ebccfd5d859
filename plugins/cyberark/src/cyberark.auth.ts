/**
 * The PVWA session: `POST /PasswordVault/API/auth/<method>/Logon` answers the session token as a
 * JSON string, which every later request carries as `Authorization: <token>` (no `Bearer` prefix);
 * `POST /PasswordVault/API/Auth/Logoff` ends it. A session that expires mid-run answers 401, and the
 * HTTP client then logs on again once (`sessionAuth`). The password and the token are secrets.
 */
import {
  isUpstreamError,
  sessionAuth,
  UpstreamError,
  type AuthClient,
  type AuthStrategy,
  type UpstreamErrorInit,
} from '@audit-hub/http';
import { field, isObject } from './cyberark-field.reader';
import {
  resolveAuthMethod,
  type CyberArkAuth,
  type CyberArkAuthMethod,
  type CyberArkOptions,
} from './cyberark.config';

export const LOGOFF_PATH = '/PasswordVault/API/Auth/Logoff';

export function logonPath(method: CyberArkAuthMethod): string {
  return `/PasswordVault/API/auth/${method}/Logon`;
}

/**
 * A log-on that did not give a session: the credentials were refused (401/403), the log-on URL does
 * not exist (404: the base URL is wrong), or the answer held no token. Its message never holds the
 * password or a token.
 */
export class CyberArkLogonError extends UpstreamError {
  constructor(
    init: UpstreamErrorInit,
    readonly reason: 'credentials' | 'not_found' | 'malformed',
    message: string,
  ) {
    super(init, message);
    this.name = 'CyberArkLogonError';
  }
}

/** Logs on and returns the session token. */
export async function logon(
  client: AuthClient,
  auth: Pick<CyberArkAuth, 'username' | 'password'>,
  method: CyberArkAuthMethod,
): Promise<string> {
  const path = logonPath(method);
  let data: unknown;
  try {
    const response = await client.request<unknown>({
      method: 'POST',
      path,
      // concurrentSession: several connectors (or a check during a run) may use the same audit user.
      body: { username: auth.username, password: auth.password, concurrentSession: true },
      anonymous: true,
      idempotent: false,
    });
    data = response.data;
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    const init = initOf(err);
    const upstream = err.detail ? `: ${err.detail}` : '';
    if (err.code === 'unauthorized' || err.code === 'forbidden') {
      throw new CyberArkLogonError(
        init,
        'credentials',
        `${err.connector}: credentials rejected for ${method} logon (POST ${path} ${err.status})${upstream}`,
      );
    }
    if (err.code === 'not_found') {
      throw new CyberArkLogonError(
        init,
        'not_found',
        `${err.connector}: POST ${path} answered 404: baseUrl must be the PVWA root (https://pvwa.example.com, without /PasswordVault), and the ${method} method must be enabled${upstream}`,
      );
    }
    throw err;
  }
  const token = sessionToken(data);
  if (token === undefined) {
    throw new CyberArkLogonError(
      { connector: connectorOf(client), method: 'POST', path, code: 'malformed', retryable: false },
      'malformed',
      `${connectorOf(client)}: POST ${path} did not answer a session token (expected a JSON string)`,
    );
  }
  return token;
}

/** Ends a session. */
export async function logoff(client: AuthClient, token: string): Promise<void> {
  await client.request({
    method: 'POST',
    path: LOGOFF_PATH,
    headers: { Authorization: token },
    anonymous: true,
    idempotent: false,
    responseType: 'text',
  });
}

/**
 * The token in a log-on answer: a bare JSON string, as PVWA and Privilege Cloud document it, or
 * `{"value": "<token>"}` as CyberArk's own mock server (epv-api-scripts) answers it. A value that
 * cannot be a header value is refused, without printing it.
 */
export function sessionToken(data: unknown): string | undefined {
  const token = typeof data === 'string' ? data : isObject(data) ? field(data, 'value') : undefined;
  if (typeof token !== 'string') return undefined;
  const trimmed = token.trim();
  return /^[\x21-\x7e]+$/.test(trimmed) ? trimmed : undefined;
}

/**
 * Log-off failures by client, for the connection to report once: closing the HTTP client must not
 * fail over a log-off (PVWA ends an idle session by itself), and the hub closes the client again
 * after the connection, which would report the same failure twice.
 */
const logoffErrors = new WeakMap<object, unknown>();

/** The error of the last failed log-off through this client, if any (cleared once taken). */
export function takeLogoffError(client: object): unknown {
  const err = logoffErrors.get(client);
  logoffErrors.delete(client);
  return err;
}

/** The connector's auth strategy: one lazily opened session, re-opened once after a 401. */
export function createCyberArkAuth(
  auth: CyberArkAuth,
  options: CyberArkOptions | undefined | null,
): AuthStrategy {
  const method = resolveAuthMethod(options?.authMethod);
  return sessionAuth({
    secrets: [auth.password],
    logon: async (client) => ({ Authorization: await logon(client, auth, method) }),
    logoff: async (client, headers) => {
      if (!headers.Authorization) return;
      try {
        await logoff(client, headers.Authorization);
      } catch (err) {
        logoffErrors.set(client, err);
      }
    },
  });
}

function initOf(err: UpstreamError): UpstreamErrorInit {
  return {
    connector: err.connector,
    method: err.method,
    path: err.path,
    status: err.status,
    code: err.code,
    retryable: false,
    detail: err.detail,
    cause: err,
  };
}

function connectorOf(client: AuthClient): string {
  const connector = (client as { connector?: unknown }).connector;
  return typeof connector === 'string' ? connector : 'cyberark';
}
