import type { HttpClient } from './http-client';
import type { HttpRequest, HttpResponse } from './types';
import { UpstreamError } from './upstream-error';

/**
 * Parses an RFC 8288 `Link` header (`<url>; rel="next", <url>; rel="last"`) into rel → URL.
 * A link with several relation types (`rel="next last"`) is listed under each; the first link of a
 * relation wins.
 */
export function parseLinkHeader(value: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) return links;
  for (const match of value.matchAll(/<([^>]*)>([^<]*)/g)) {
    const [, url, params] = match;
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean);
    for (const relation of relations) links[relation] ??= url.trim();
  }
  return links;
}

/**
 * Yields each page, asking `next` for the request of the following one until it returns null.
 * An upstream that hands back a page it already gave (the same request twice) would loop forever:
 * that stops with a `malformed` error instead.
 */
export async function* paginate<T>(
  client: HttpClient,
  first: HttpRequest,
  next: (res: HttpResponse<T>, req: HttpRequest) => HttpRequest | null,
): AsyncGenerator<HttpResponse<T>> {
  const seen = new Set<string>();
  for (let req: HttpRequest | null = first; req;) {
    const key = requestKey(client, req);
    if (seen.has(key)) {
      const method = req.method ?? 'GET';
      throw new UpstreamError({
        connector: client.connector,
        method,
        path: client.redact(new URL(client.buildUrl(req)).pathname),
        code: 'malformed',
        retryable: false,
        detail: `the upstream pointed back to a page already read (page ${seen.size + 1} repeats an earlier one)`,
      });
    }
    seen.add(key);
    const res: HttpResponse<T> = await client.request<T>(req);
    yield res;
    req = next(res, req);
  }
}

/** The next page from the `Link: <…>; rel="next"` header (GitHub, ServiceNow, GitLab keyset). */
export function nextFromLinkHeader(res: HttpResponse<unknown>, req: HttpRequest): HttpRequest | null {
  const next = parseLinkHeader(res.headers.link).next;
  // The link carries the whole query, so the request's own query is dropped. Vendors send absolute
  // links; the client refuses one that points to another host.
  return next ? { ...req, path: next, query: undefined } : null;
}

/**
 * GitLab offset pagination: `X-Next-Page` (empty on the last page), else `Link` rel=next (keyset
 * pagination sends only that). Never `X-Total`/`X-Total-Pages`: GitLab omits them above 10,000 rows.
 */
export function nextFromGitLabHeaders(res: HttpResponse<unknown>, req: HttpRequest): HttpRequest | null {
  const nextPage = res.headers['x-next-page']?.trim();
  if (nextPage) return { ...req, query: { ...req.query, page: nextPage } };
  return nextFromLinkHeader(res, req);
}

function requestKey(client: HttpClient, req: HttpRequest): string {
  const body =
    req.body === undefined ? '' : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  return `${req.method ?? 'GET'} ${client.buildUrl(req)} ${body}`;
}
