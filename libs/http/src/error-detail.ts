/**
 * The upstream's own words from an error response, in the shapes the vendors document
 * (shared/upstream-samples README, "Errors"). Neither redacted nor shortened here: the client
 * redacts first and then shortens, so that a cut can never leave part of a secret unmatched.
 */

/** Longest detail kept in an error (characters). */
export const MAX_DETAIL_LENGTH = 300;

export function extractErrorDetail(text: string, contentType = ''): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  let detail: string | undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      detail = fromJson(JSON.parse(trimmed));
    } catch {
      detail = undefined;
    }
  }
  if (detail === undefined && (/html/i.test(contentType) || trimmed.startsWith('<')))
    detail = fromHtml(trimmed);
  if (detail === undefined && !trimmed.startsWith('<')) detail = trimmed;
  return detail;
}

export function shorten(text: string, max = MAX_DETAIL_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function fromJson(body: unknown): string | undefined {
  if (typeof body === 'string') return nonEmpty(body);
  if (!isObject(body)) return undefined;
  const parts: string[] = [];
  const push = (value: unknown) => {
    const text = textOf(value);
    if (text && !parts.includes(text)) parts.push(text);
  };

  // ServiceNow `{error: {message, detail}}`, Jenkins wfapi `{error: {message, type}}`.
  if (isObject(body.error)) {
    push(body.error.message);
    push(body.error.detail);
  } else {
    // GitLab unknown route `{error: "404 Not Found"}`, OAuth `{error, error_description}`.
    push(body.error);
    push(body.error_description);
  }
  // CyberArk `{ErrorCode, ErrorMessage}`.
  if (body.ErrorMessage !== undefined) {
    const code = textOf(body.ErrorCode);
    const message = textOf(body.ErrorMessage);
    push(code && message ? `${code}: ${message}` : (message ?? code));
  }
  // GitLab `{message: "..."}` or `{message: {field: [msgs]}}`, GitHub `{message, errors}`.
  push(body.message);
  // Jira `{errorMessages: [...], errors: {field: message}}`.
  if (Array.isArray(body.errorMessages)) body.errorMessages.forEach(push);
  // Vault `{errors: ["..."]}`, SonarQube `{errors: [{msg}]}`, GitHub `{errors: [{field, code}]}`.
  if (Array.isArray(body.errors)) body.errors.forEach(push);
  else if (isObject(body.errors)) push(body.errors);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** A readable text of a message that may be a string, a list or a `{field: [messages]}` map. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return nonEmpty(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return nonEmpty(value.map(textOf).filter(Boolean).join(', '));
  if (!isObject(value)) return undefined;
  const own = textOf(value.msg ?? value.message);
  if (own) return own;
  // GitHub validation entries `{resource, field, code}`.
  if (typeof value.code === 'string' && (value.field !== undefined || value.resource !== undefined)) {
    return [value.resource, value.field, value.code].filter((part) => typeof part === 'string').join(' ');
  }
  const fields = Object.entries(value)
    .map(([field, messages]) => {
      const text = textOf(messages);
      return text ? `${field}: ${text}` : undefined;
    })
    .filter(Boolean);
  return nonEmpty(fields.join('; '));
}

/** Jenkins and proxies answer errors with HTML pages: the title, else the first heading. */
function fromHtml(html: string): string | undefined {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/i.exec(html)?.[1];
  return nonEmpty(htmlText(title ?? '')) ?? nonEmpty(htmlText(heading ?? ''));
}

function htmlText(fragment: string): string {
  return fragment
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (entity, name: string) => {
      const lower = name.toLowerCase();
      if (lower.startsWith('#')) {
        const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
        return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[lower] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function nonEmpty(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
