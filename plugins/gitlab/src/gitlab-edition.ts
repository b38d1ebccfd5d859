/**
 * Which GitLab the connector talks to, and how to read a 404. The Premium endpoints this connector
 * reads (`/projects/:id/protected_environments`, deployment approvals, MR approval rules) live in
 * GitLab's `ee/` code: Community Edition has no route for them, and its catch-all route answers
 * `404 {"error":"404 Not Found"}` (lib/api/api.rb `route :any, '*path'`). A resource that is gone
 * or hidden from the token answers `404 {"message":"404 <Thing> Not Found"}` instead
 * (lib/api/helpers.rb `not_found!`). The two must never be confused: the first says the edition
 * cannot tell (the record's field is null, for good), the second that this one item is missing.
 */

/** `/api/v4/metadata` (15.2+) or `/api/v4/version`: `enterprise` appeared in 15.6. */
export interface GitLabMetadata {
  version?: string;
  revision?: string;
  enterprise?: boolean;
}

export interface GitLabEdition {
  /** `17.2.1` (without the `-ee` / `-pre` suffix); undefined when GitLab did not say. */
  version?: string;
  /** Enterprise Edition code (which may still run unlicensed, i.e. as Free); undefined: unknown. */
  enterprise?: boolean;
}

/** The edition a metadata body names: `enterprise` when given, else the version's `-ee` suffix. */
export function editionOf(metadata: GitLabMetadata | null | undefined): GitLabEdition {
  const raw = typeof metadata?.version === 'string' ? metadata.version.trim() : '';
  const version = /^\d+\.\d+(\.\d+)?/.exec(raw)?.[0];
  const enterprise =
    typeof metadata?.enterprise === 'boolean' ? metadata.enterprise : raw ? /-ee\b/.test(raw) : undefined;
  return { ...(version ? { version } : {}), ...(enterprise !== undefined ? { enterprise } : {}) };
}

/** `GitLab 17.2.1 Enterprise Edition`, as far as it is known. */
export function describeEdition(edition: GitLabEdition): string {
  const name =
    edition.enterprise === undefined ? '' : edition.enterprise ? ' Enterprise Edition' : ' Community Edition';
  return `GitLab${edition.version ? ` ${edition.version}` : ''}${name}`;
}

/** A 404 from GitLab's catch-all route: the endpoint does not exist on this server (its edition or version). */
export function isRouteNotFound(status: number, body: unknown): boolean {
  return status === 404 && (body as { error?: unknown } | null)?.error === '404 Not Found';
}
