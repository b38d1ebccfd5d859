/**
 * Redaction by value: every text that leaves the HTTP client (error messages, details, logged and
 * recorded URLs) passes through here, so a token or password never reaches a log, an error or an
 * output even when an upstream echoes it back (GitLab and Jenkins error pages quote the request).
 */

export const SECRET_PLACEHOLDER = '[REDACTED]';

/** Encoded forms are only searched for secrets at least this long: shorter ones match by accident. */
const MIN_ENCODED_LENGTH = 4;

/** Passes over the text before giving up and returning only the placeholder (see `redact`). */
const MAX_PASSES = 4;

/**
 * Replaces every occurrence of each secret, and of its URL-encoded and base64 forms, with
 * `[REDACTED]`. Overlapping matches collapse into one placeholder, longest forms first.
 *
 * A placeholder next to ordinary text can in rare cases spell a secret again (a secret that starts
 * with `D]`); the text is then redacted again, and if that does not settle, only the placeholder is
 * returned: losing a message is better than printing a secret.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = secretForms(secrets);
  if (forms.length === 0 || text.length === 0) return text;
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (!forms.some((form) => out.includes(form))) return out;
    out = maskOnce(out, forms);
  }
  return forms.some((form) => out.includes(form)) ? SECRET_PLACEHOLDER : out;
}

/**
 * Redacts a URL (or a path with a query): query parameters whose names look like credentials
 * (`private_token`, `access_token`, `api_key`, `password`, `sig`…) lose their value whatever it
 * is, and then every known secret is redacted by value.
 */
export function redactUrl(url: string, secrets: Iterable<string>): string {
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const queryAt = withoutHash.indexOf('?');
  if (queryAt < 0) return redact(withoutHash, secrets);
  const params = withoutHash
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq >= 0 ? pair.slice(0, eq) : pair;
      return eq >= 0 && isSecretParamName(safeDecode(name)) ? `${name}=${SECRET_PLACEHOLDER}` : pair;
    });
  return redact(`${withoutHash.slice(0, queryAt)}?${params.join('&')}`, secrets);
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

function secretForms(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length === 0) continue;
    forms.add(secret);
    if (secret.length < MIN_ENCODED_LENGTH) continue;
    for (const form of encodedForms(secret)) forms.add(form);
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

function encodedForms(secret: string): string[] {
  const forms: string[] = [];
  try {
    const encoded = encodeURIComponent(secret);
    forms.push(
      encoded,
      encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    );
    // application/x-www-form-urlencoded, as URLSearchParams and HTML forms write it.
    forms.push(new URLSearchParams({ s: secret }).toString().slice(2));
  } catch {
    // A lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either.
  }
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  forms.push(base64, base64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url'));
  return forms;
}

function maskOnce(text: string, forms: string[]): string {
  const covered = new Uint8Array(text.length);
  for (const form of forms) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
      covered.fill(1, at, at + form.length);
    }
  }
  let out = '';
  for (let i = 0; i < text.length;) {
    if (covered[i]) {
      out += SECRET_PLACEHOLDER;
      while (i < text.length && covered[i]) i++;
    } else {
      const start = i;
      while (i < text.length && !covered[i]) i++;
      out += text.slice(start, i);
    }
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
