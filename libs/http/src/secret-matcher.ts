/**
 * The compiled form of a set of secrets: each secret's raw, URL-encoded and base64 forms are
 * computed once, when the secret is added, and all of them are matched in one pass over a text by
 * one regular expression of escaped alternatives (longest first), rebuilt only when the set
 * changes. Redacting a text that holds no secret costs one regex test, however many secrets there
 * are; recomputing the encodings for every string was the top of the API's CPU profile.
 */

export const SECRET_PLACEHOLDER = '[REDACTED]';

/** Encoded forms are only searched for secrets at least this long: shorter ones match by accident. */
export const MIN_ENCODED_LENGTH = 4;

/** Passes over the text before giving up and returning only the placeholder (see `redact`). */
const MAX_PASSES = 4;

export class SecretMatcher {
  private readonly values = new Set<string>();
  private readonly forms = new Set<string>();
  /** `any` finds whether a text holds a form; `starts` finds the longest form at every position. */
  private compiled?: { any: RegExp; starts: RegExp } | null;

  constructor(secrets: Iterable<string> = []) {
    this.addAll(secrets);
  }

  /** Adds a secret (empty strings and non-strings are ignored); true when it was new. */
  add(secret: string): boolean {
    if (typeof secret !== 'string' || secret.length === 0 || this.values.has(secret)) return false;
    this.values.add(secret);
    let grew = false;
    for (const form of secretForms(secret)) {
      if (this.forms.has(form)) continue;
      this.forms.add(form);
      grew = true;
    }
    if (grew) this.compiled = undefined;
    return true;
  }

  addAll(secrets: Iterable<string>): void {
    for (const secret of secrets) this.add(secret);
  }

  has(secret: string): boolean {
    return this.values.has(secret);
  }

  /** How many secrets it holds. */
  get size(): number {
    return this.values.size;
  }

  /** The secrets, in the order they were added. */
  secrets(): string[] {
    return [...this.values];
  }

  /** Whether the text holds any secret in any of its forms. */
  matches(text: string): boolean {
    const compiled = this.compile();
    return compiled !== null && text.length > 0 && compiled.any.test(text);
  }

  /**
   * Replaces every occurrence of each secret, and of its URL-encoded and base64 forms, with
   * `[REDACTED]`. Overlapping matches collapse into one placeholder.
   *
   * A placeholder next to ordinary text can in rare cases spell a secret again (a secret that starts
   * with `D]`); the text is then redacted again, and if that does not settle, only the placeholder is
   * returned: losing a message is better than printing a secret.
   */
  redact(text: string): string {
    if (typeof text !== 'string' || !this.matches(text)) return text;
    let out = text;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      out = this.maskOnce(out);
      if (!this.matches(out)) return out;
    }
    return SECRET_PLACEHOLDER;
  }

  private compile(): { any: RegExp; starts: RegExp } | null {
    if (this.compiled !== undefined) return this.compiled;
    if (this.forms.size === 0) return (this.compiled = null);
    // Longest first: at any position the first alternative that matches is the longest form there.
    const alternatives = [...this.forms]
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
      .map(escapeForRegex)
      .join('|');
    this.compiled = {
      any: new RegExp(alternatives),
      starts: new RegExp(`(?=(${alternatives}))`, 'g'),
    };
    return this.compiled;
  }

  /**
   * One pass: the union of every occurrence of every form, overlapping ones included (a
   * zero-width match at each position where a form starts, capturing the longest one), each run
   * of covered characters replaced by one placeholder.
   */
  private maskOnce(text: string): string {
    const { starts } = this.compile()!;
    let out = '';
    /** Start and end of the covered run being built; -1 when none. */
    let runStart = -1;
    let runEnd = -1;
    let copied = 0;
    starts.lastIndex = 0;
    for (let m = starts.exec(text); m; m = starts.exec(text)) {
      const at = m.index;
      const end = at + m[1].length;
      if (runStart >= 0 && at <= runEnd) {
        runEnd = Math.max(runEnd, end);
      } else {
        if (runStart >= 0) {
          out += text.slice(copied, runStart) + SECRET_PLACEHOLDER;
          copied = runEnd;
        }
        runStart = at;
        runEnd = end;
      }
      // A zero-width match does not move the regex on by itself.
      starts.lastIndex = at + 1;
    }
    if (runStart >= 0) {
      out += text.slice(copied, runStart) + SECRET_PLACEHOLDER;
      copied = runEnd;
    }
    return out + text.slice(copied);
  }
}

/** A secret and, when it is long enough, its URL-encoded and base64 forms. */
export function secretForms(secret: string): string[] {
  if (typeof secret !== 'string' || secret.length === 0) return [];
  const forms = new Set([secret]);
  if (secret.length >= MIN_ENCODED_LENGTH) for (const form of encodedForms(secret)) forms.add(form);
  return [...forms].filter((form) => form.length > 0);
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

/**
 * Every code unit but letters and digits as `\uXXXX`: no character of a secret (regex syntax, line
 * terminators, lone surrogates) can change the pattern's meaning. No `u` flag, so the pattern
 * matches UTF-16 code units, as `String.prototype.includes` does.
 */
function escapeForRegex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += /[A-Za-z0-9]/.test(text[i]) ? text[i] : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}
