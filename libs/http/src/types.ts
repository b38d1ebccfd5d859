/** Public types of the upstream HTTP client. */

import type { HostResolver, NetworkPolicyOptions } from './address-policy';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST' | 'OPTIONS';

export type QueryValue = string | number | boolean | undefined | null | (string | number)[];

export interface HttpRequest {
  method?: HttpMethod;
  /** Path relative to the client's base URL (`/api/v4/projects`), or an absolute URL on the same origin. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /**
   * JSON-serialised (with `Content-Type: application/json`) unless a string or Buffer, which is
   * sent as is (axios labels a string form-urlencoded unless a `Content-Type` header is given).
   */
  body?: unknown;
  /**
   * Whether the request may be retried. Defaults by method: GET, HEAD, PUT, DELETE, LIST and OPTIONS
   * are idempotent; POST and PATCH are not (a POST search can opt in).
   */
  idempotent?: boolean;
  /** Statuses that are answers, not errors (Vault's `404 {"errors":[]}` for an empty list). */
  okStatuses?: number[];
  /** `json` (default): parsed losslessly (integers beyond 2^53 stay exact, as strings); `text`: raw. */
  responseType?: 'json' | 'text';
  /** Per-request timeout; defaults to the client's. */
  timeoutMs?: number;
  /** Skip the auth strategy (the log-on request of a session auth). */
  anonymous?: boolean;
  /** Cancels this request (in addition to the client's `signal`). */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-case names; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  data: T;
  /** The raw body text, as the upstream sent it (for page digests). */
  text: string;
  /** Method and path (query and secrets removed), for evidence and errors. */
  url: string;
}

export interface RetryPolicy {
  /** Further attempts after the first (default 4). */
  retries: number;
  /** First backoff (default 500 ms); doubles each attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap on a computed backoff (default 30 s). */
  maxDelayMs: number;
  /** Cap on a server-given wait (Retry-After, rate-limit reset; default 120 s). Longer waits fail. */
  maxRetryAfterMs: number;
}

export interface HttpLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface HttpClientOptions {
  /** Connector instance id, carried in every error. */
  connector: string;
  baseUrl: string;
  auth?: AuthStrategy;
  /** Per-request timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Values never to print (tokens, passwords); auth strategies add theirs. */
  secrets?: string[];
  signal?: AbortSignal;
  logger?: HttpLogger;
  userAgent?: string;
  /** Default headers on every request (Accept, vendor headers). */
  headers?: Record<string, string>;
  /**
   * How the client reads the time and waits (default `realClock`): tests inject a fake one that
   * records the waits asked for (backoff, Retry-After, rate-limit resets) instead of waiting.
   */
  clock?: HttpClock;
  /**
   * Which addresses the client may connect to (default: every address but the always-refused
   * metadata, link-local, unspecified, multicast and reserved ones; see `address-policy.ts`).
   */
  network?: NetworkPolicyOptions;
  /** Resolves host names before the policy filters the addresses (default `dns.lookup`); for tests. */
  resolver?: HostResolver;
  /** Called with each rate-limit wait (metrics). */
  onRateLimitWait?: (ms: number) => void;
  /**
   * Told each secret the client learns while it runs (a session token from a log-on, a credential
   * seen in a query), so the caller's own redaction (logs, run records, evidence) covers it too.
   */
  onSecret?: (value: string) => void;
  /** Called with every response received (any status): the core records page digests from it. */
  onResponse?: (info: ResponseInfo) => void;
}

/** The time and the waits of a client: the wall clock in production, a fake one in tests. */
export interface HttpClock {
  /** Milliseconds since the epoch: Retry-After dates and rate-limit reset epochs are read against it. */
  now(): number;
  /** Waits `ms` (a backoff, a server-asked wait); rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts after `ms`: each attempt's timeout (default `AbortSignal.timeout`). */
  timeout?(ms: number): AbortSignal;
}

export interface ResponseInfo {
  method: string;
  /** Path and query, secrets redacted. */
  url: string;
  status: number;
  /** SHA-256 (hex) of the body text as received. */
  sha256: string;
  bytes: number;
}

/** How a client authenticates. Session strategies log on lazily and again after a 401. */
export interface AuthStrategy {
  /** Secret values this strategy holds, for redaction. */
  readonly secrets: string[];
  /** Headers to add to a request; may log on first. */
  headers(client: AuthClient): Promise<Record<string, string>>;
  /**
   * Called on a 401 with the headers the refused request carried: a session strategy drops that
   * session (unless a newer one replaced it meanwhile) and returns true to have the request retried once.
   */
  invalidate?(used?: Record<string, string>): boolean;
  /** Ends a session (log-off), if any. */
  close?(client: AuthClient): Promise<void>;
}

/** The part of the client an auth strategy may use (to log on without recursion). */
export interface AuthClient {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
  addSecret(value: string): void;
}
