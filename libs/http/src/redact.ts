/**
 * Redaction by value: every text that leaves the HTTP client (error messages, details, logged and
 * recorded URLs) passes through here, so a token or password never reaches a log, an error or an
 * output even when an upstream echoes it back (GitLab and Jenkins error pages quote the request).
 */
import { SECRET_PLACEHOLDER, SecretMatcher } from './secret-matcher';

export { SECRET_PLACEHOLDER, SecretMatcher };

/** Secrets as a list, or already compiled (what every hot path holds). */
export type Secrets = Iterable<string> | SecretMatcher;

function compiled(secrets: Secrets): SecretMatcher {
  return secrets instanceof SecretMatcher ? secrets : new SecretMatcher(secrets);
}

/**
 * Replaces every occurrence of each secret, and of its URL-encoded and base64 forms, with
 * `[REDACTED]`. Overlapping matches collapse into one placeholder, longest forms first.
 *
 * A placeholder next to ordinary text can in rare cases spell a secret again (a secret that starts
 * with `D]`); the text is then redacted again, and if that does not settle, only the placeholder is
 * returned: losing a message is better than printing a secret.
 *
 * Given a list, the secrets are compiled for this one call: code that redacts often holds a
 * `SecretMatcher` and passes that (or calls its `redact`).
 */
export function redact(text: string, secrets: Secrets): string {
  if (text.length === 0) return text;
  return compiled(secrets).redact(text);
}

/**
 * Redacts a URL (or a path with a query): query parameters whose names look like credentials
 * (`private_token`, `access_token`, `api_key`, `password`, `sig`…) lose their value whatever it
 * is, and then every known secret is redacted by value.
 */
export function redactUrl(url: string, secrets: Secrets): string {
  const matcher = compiled(secrets);
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const queryAt = withoutHash.indexOf('?');
  if (queryAt < 0) return matcher.redact(withoutHash);
  const params = withoutHash
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq >= 0 ? pair.slice(0, eq) : pair;
      return eq >= 0 && isSecretParamName(safeDecode(name)) ? `${name}=${SECRET_PLACEHOLDER}` : pair;
    });
  return matcher.redact(`${withoutHash.slice(0, queryAt)}?${params.join('&')}`);
}

/** Words that mark a query parameter as a credential, wherever they appear in its name. */
const SECRET_WORDS = new Set([
  'token',
  'password',
  'passwd',
  'pwd',
  'passcode',
  'secret',
  'apikey',
  'sig',
  'signature',
  'credential',
  'credentials',
  'jwt',
]);

/** Whole names (separators removed) that are credentials though no word above appears in them. */
const SECRET_NAMES = new Set([
  'key',
  'apikey',
  'accesskey',
  'privatekey',
  'authkey',
  'auth',
  'authorization',
]);

/** Pagination cursors named like tokens (Jira `nextPageToken`): not credentials, kept for evidence. */
const PAGE_CURSOR_NAMES = new Set(['pagetoken', 'nextpagetoken', 'continuationtoken']);

/** Whether a query parameter name looks like it carries a credential. */
export function isSecretParamName(name: string): boolean {
  const compact = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PAGE_CURSOR_NAMES.has(compact)) return false;
  if (SECRET_NAMES.has(compact)) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.has(word));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
