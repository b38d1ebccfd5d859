import type { IncomingHttpHeaders } from 'node:http';

/**
 * The contract between the sandbox server and each fake upstream: a fake is a pure function from a
 * parsed request to a response, so it can be tested without sockets and mounted under any prefix.
 */

export interface FakeRequest {
  method: string;
  /** The path after the fake's mount prefix, still percent-encoded (`/api/v4/projects/acme%2Fpayments-api`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Absolute URL of the mount point as the client reached it (`http://127.0.0.1:4010/gitlab`), for links. */
  baseUrl: string;
  /** The raw request body, when there is one (log-ons, tracker writes). */
  body?: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as raw text: some vendor bodies (GitLab X.509 serials) hold numbers JSON.stringify cannot write. */
  body: string;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return rawJson(status, JSON.stringify(body), headers);
}

export function rawJson(status: number, body: string, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

export function header(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `user:password` from a Basic `Authorization` header, or undefined. */
export function basicCredentials(request: FakeRequest): { user: string; password: string } | undefined {
  const value = header(request, 'authorization');
  const match = value ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Builds `<baseUrl><path>?<query>` with some parameters replaced, keeping the others in order. */
export function linkTo(request: FakeRequest, replace: Record<string, string>): string {
  const query = new URLSearchParams(request.query);
  for (const [key, value] of Object.entries(replace)) query.set(key, value);
  return `${request.baseUrl}${request.path}?${query.toString()}`;
}
