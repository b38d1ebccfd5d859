/**
 * Who is calling the API: an API token (`tokens create`) or an OIDC bearer token, with one role
 * and optionally a team scope. Roles: `admin` and `operator` may change things (request and
 * approve exceptions, start runs), `auditor` only reads.
 */
export const API_ROLES = ['admin', 'operator', 'auditor'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export function isApiRole(value: unknown): value is ApiRole {
  return typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);
}

export interface Principal {
  /** Stable and unique: `token:<name>` or `oidc:<subject>`; recorded as requester and approver. */
  id: string;
  /** For people reading logs and exceptions: the token's name, or the OIDC e-mail/name. */
  name: string;
  role: ApiRole;
  /** Scoped to one team's findings and releases; null for the whole company. */
  team: string | null;
  kind: 'token' | 'oidc';
}

/** Methods that read: an auditor may use these and nothing else (unless an action is marked read-only). */
export const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
