import type { QueryValue } from './types';

/**
 * Serialises a query: arrays repeat the name (`scope=a&scope=b`), `undefined` and `null` are left
 * out, everything is percent-encoded (`%20` for a space, as every upstream here accepts).
 */
export function serializeQuery(query: Record<string, QueryValue>): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item === undefined || item === null) continue;
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(item))}`);
    }
  }
  return pairs;
}

/**
 * Adds `query` to a URL's existing query (a `Link` URL, a path with `?`): parameters named in
 * `query` replace the existing ones of that name (GitLab `page` on a followed link), the others stay
 * exactly as the upstream wrote them.
 */
export function mergeQuery(search: string, query: Record<string, QueryValue> | undefined): string {
  const existing = search.replace(/^\?/, '').split('&').filter(Boolean);
  if (!query) return existing.join('&');
  const replaced = new Set(
    Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name]) => name),
  );
  const kept = existing.filter((pair) => !replaced.has(decodeName(pair)));
  return [...kept, ...serializeQuery(query)].join('&');
}

/** Joins a base path (`/gitlab`) and a request path (`/api/v4/projects` or `api/v4/projects`). */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  const rest = path.replace(/^\/+/, '');
  return `${base}/${rest}`;
}

function decodeName(pair: string): string {
  const eq = pair.indexOf('=');
  const name = eq >= 0 ? pair.slice(0, eq) : pair;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
