import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import pLimit from 'p-limit';
import {
  AddressPolicy,
  AddressRefusedError,
  guardedLookup,
  hostOf,
  refusalText,
  systemResolver,
  type AddressVerdict,
} from './address-policy';
import { extractErrorDetail, shorten } from './error-detail';
import { parseJsonLossless } from './json';
import { isRateLimited, serverWaitMs } from './rate-limit';
import { isSecretParamName, redactUrl, SecretMatcher } from './redact';
import { joinPath, mergeQuery } from './request-url';
import type {
  AuthClient,
  AuthStrategy,
  HttpClientOptions,
  HttpClock,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  RetryPolicy,
} from './types';
import { UpstreamError, type UpstreamErrorCode } from './upstream-error';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'LIST', 'OPTIONS']);
/** Statuses that a later attempt may not meet: overload, gateways, restarts. */
const RETRIED_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/** Reads must carry JSON; writes and 204s may answer with no body. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'LIST']);
const MAX_REDIRECTS = 5;
/** Shorter query values named like credentials (`key=1`) are not redacted everywhere by value. */
const MIN_LEARNED_SECRET_LENGTH = 4;

/** The wall clock: `Date.now`, an abortable `setTimeout`, `AbortSignal.timeout`. */
export const realClock: HttpClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => abortableSleep(ms, signal),
  timeout: (ms) => AbortSignal.timeout(ms),
};

/**
 * The upstream HTTP client every connector uses: base URL, auth, per-request timeout, bounded
 * concurrency, retries with backoff for idempotent requests, rate-limit waits, lossless JSON, one
 * error type with the upstream's own message, redaction of every secret it knows, and a network
 * policy: it never connects to a metadata or link-local address (nor, when so configured, to a
 * private one), whether the URL names it or a host name resolves to it.
 */
export class HttpClient implements AuthClient {
  readonly connector: string;
  readonly baseUrl: string;
  private readonly base: URL;
  private readonly retry: RetryPolicy;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly transport: AxiosInstance;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private readonly auth?: AuthStrategy;
  private readonly clock: HttpClock;
  /** The base URL's host when it is a literal address (DNS never sees it), and the policy's verdict. */
  private readonly literal?: AddressVerdict;
  private readonly addedSecrets = new Set<string>();
  private readonly secretMatcher = new SecretMatcher();
  private closing?: Promise<void>;
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {
    this.connector = options.connector;
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`${options.connector}: baseUrl "${options.baseUrl}" is not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`${options.connector}: baseUrl "${options.baseUrl}" must be an http(s) URL`);
    }
    base.search = '';
    base.hash = '';
    base.pathname = base.pathname.replace(/\/+$/, '');
    this.base = base;
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.auth = options.auth;
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
    this.limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
    this.clock = options.clock ?? realClock;
    // Every request goes to the base URL's host (other hosts are refused, redirects are followed
    // same-origin only), so one check of a literal address and one lookup filter cover them all.
    const policy = new AddressPolicy(options.network);
    this.literal = policy.checkLiteral(base);
    // Sockets open only to addresses the policy allows, checked after DNS resolution. The client's
    // own agents (the options of Node's global ones: keep-alive, LIFO, 5 s idle timeout) mean no
    // socket opened under another client's policy is ever reused.
    const lookup = guardedLookup(policy, options.resolver ?? systemResolver);
    const agentOptions = { keepAlive: true, scheduling: 'lifo' as const, timeout: 5_000, lookup };
    this.agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
    this.transport = axios.create({
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      responseType: 'text',
      responseEncoding: 'utf8',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // Redirects are followed here, same origin only: axios would carry vendor token headers
      // (PRIVATE-TOKEN, X-Vault-Token) to whatever host a redirect names.
      maxRedirects: 0,
    });
  }

  get<T = unknown>(
    path: string,
    query?: HttpRequest['query'],
    extra?: Partial<HttpRequest>,
  ): Promise<HttpResponse<T>> {
    return this.request<T>({ ...extra, method: extra?.method ?? 'GET', path, query: query ?? extra?.query });
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    let url = this.resolve(method, req);
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(method);
    this.learnQuerySecrets(url);
    const signal = combineSignals(this.options.signal, req.signal);
    if (this.closed)
      throw this.error(method, url, { code: 'aborted', retryable: false, detail: 'the client is closed' });
    if (this.literal && !this.literal.allowed) {
      const detail = refusalText(hostOf(this.base), this.literal);
      throw this.error(method, url, { code: 'address_refused', retryable: false, detail });
    }

    let retries = 0;
    let redirects = 0;
    let loggedOnAgain = false;
    for (;;) {
      this.throwIfAborted(method, url, signal);
      const authHeaders = req.anonymous || !this.auth ? {} : await this.auth.headers(this);
      const target = url;
      let res: AxiosResponse<string>;
      try {
        res = await this.limit(() => this.send(method, target, req, authHeaders, signal));
      } catch (err) {
        // Network errors and timeouts; a cancelled run is never retried.
        if (err instanceof UpstreamError && err.retryable && idempotent && retries < this.retry.retries) {
          await this.wait(this.backoff(retries++), method, url, signal, `after ${err.code}`);
          continue;
        }
        throw err;
      }

      const status = res.status;
      const text = typeof res.data === 'string' ? res.data : '';
      const headers = plainHeaders(res.headers);
      this.report(method, url, status, text);

      if ((status >= 200 && status < 300) || req.okStatuses?.includes(status)) {
        return this.answer<T>(method, url, req, status, headers, text);
      }

      // A session may expire mid-run (CyberArk PVWA): log on again once, then give up.
      if (status === 401 && !req.anonymous && !loggedOnAgain && this.auth?.invalidate) {
        loggedOnAgain = true;
        if (this.auth.invalidate(authHeaders)) {
          this.options.logger?.debug('session refused, logging on again', this.fields(method, url, status));
          continue;
        }
      }

      const location = headers.location;
      if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        const next = this.redirectTarget(method, status, url, location);
        if (next) {
          url = next;
          this.learnQuerySecrets(url);
          redirects++;
          continue;
        }
      }

      const waitMs = this.retryDelay(method, url, status, headers, text, idempotent, retries);
      if (waitMs === undefined) throw this.statusError(method, url, status, headers, text);
      retries++;
      await this.wait(waitMs, method, url, signal, `after ${status}`);
    }
  }

  /** Adds a value never to print (a session token, a password sent in a body). */
  addSecret(value: string): void {
    if (typeof value !== 'string' || value.length === 0 || this.addedSecrets.has(value)) return;
    this.addedSecrets.add(value);
    this.options.onSecret?.(value);
  }

  /** The text with every secret this client knows replaced by `[REDACTED]`. */
  redact(text: string): string {
    return this.matcher().redact(text);
  }

  /** The absolute URL a request goes to (base URL joined, query merged); for page-loop guards. */
  buildUrl(req: Pick<HttpRequest, 'path' | 'query' | 'method'>): string {
    return this.resolve((req.method ?? 'GET').toUpperCase(), req).href;
  }

  /** Ends the auth session (log-off) once; later requests fail with `aborted`. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.auth?.close?.(this);
      } finally {
        this.closed = true;
        this.agents.http.destroy();
        this.agents.https.destroy();
      }
    })();
    return this.closing;
  }

  /**
   * A credential passed in the query (`private_token=…`) is redacted by value from then on, so an
   * upstream echoing the request URL in an error body does not print it.
   */
  private learnQuerySecrets(url: URL): void {
    for (const [name, value] of url.searchParams) {
      if (value.length >= MIN_LEARNED_SECRET_LENGTH && isSecretParamName(name)) this.addSecret(value);
    }
  }

  /** Every secret it knows, compiled once each (an auth strategy learns session secrets as it logs on). */
  private matcher(): SecretMatcher {
    for (const known of [this.options.secrets, this.auth?.secrets, this.addedSecrets]) {
      for (const secret of known ?? []) this.secretMatcher.add(secret);
    }
    return this.secretMatcher;
  }

  private resolve(method: string, req: Pick<HttpRequest, 'path' | 'query'>): URL {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(req.path)) {
      const absolute = parseAbsolute(req.path);
      if (!absolute) {
        throw new UpstreamError({
          connector: this.connector,
          method,
          path: this.redact(req.path.split('?')[0]),
          code: 'client',
          retryable: false,
          detail: 'not a valid URL',
        });
      }
      // Credentials go to the configured host only. The same host under another scheme or port
      // (a proxy rewriting `Link` headers) is rebased onto the base URL.
      if (absolute.hostname.toLowerCase() !== this.base.hostname.toLowerCase()) {
        throw new UpstreamError({
          connector: this.connector,
          method,
          path: this.redact(absolute.pathname),
          code: 'client',
          retryable: false,
          detail: `refusing to send a request for ${absolute.host} to a client of ${this.base.host}`,
        });
      }
      url = new URL(absolute.pathname + absolute.search, this.base.origin);
    } else {
      const queryAt = req.path.indexOf('?');
      const path = queryAt >= 0 ? req.path.slice(0, queryAt) : req.path;
      const search = queryAt >= 0 ? req.path.slice(queryAt) : '';
      url = new URL(joinPath(this.base.pathname, path) + search, this.base.origin);
    }
    const search = mergeQuery(url.search, req.query);
    url.search = search ? `?${search}` : '';
    return url;
  }

  private async send(
    method: HttpMethod,
    url: URL,
    req: HttpRequest,
    authHeaders: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<AxiosResponse<string>> {
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = this.clock.timeout?.(timeoutMs) ?? AbortSignal.timeout(timeoutMs);
    const jsonBody = req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body);
    const headers = mergeHeaders(
      {
        Accept: req.responseType === 'text' ? '*/*' : 'application/json',
        'User-Agent': this.options.userAgent ?? 'audit-hub',
        ...(jsonBody ? { 'Content-Type': 'application/json' } : {}),
      },
      this.options.headers,
      authHeaders,
      req.headers,
    );
    try {
      return await this.transport.request<string>({
        url: url.href,
        method: method as Method,
        headers,
        data: jsonBody ? JSON.stringify(req.body) : req.body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted)
        throw this.error(method, url, { code: 'aborted', retryable: false, detail: 'cancelled' });
      const refused = addressRefusal(err);
      if (refused) {
        throw this.error(method, url, { code: 'address_refused', retryable: false, detail: refused.message });
      }
      if (timeout.aborted) {
        throw this.error(method, url, {
          code: 'timeout',
          retryable: true,
          detail: `no answer within ${timeoutMs} ms`,
        });
      }
      throw this.error(method, url, { code: 'network', retryable: true, detail: networkDetail(err) });
    }
  }

  private answer<T>(
    method: HttpMethod,
    url: URL,
    req: HttpRequest,
    status: number,
    headers: Record<string, string>,
    text: string,
  ): HttpResponse<T> {
    const response = { status, headers, text, url: `${method} ${this.redact(url.pathname)}` };
    if (req.responseType === 'text') return { ...response, data: text as T };
    const emptyAllowed = !READ_METHODS.has(method) || status === 204 || status === 205 || status >= 300;
    if (text.trim() === '' && emptyAllowed) return { ...response, data: undefined as T };
    try {
      return { ...response, data: parseJsonLossless(text) as T };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const type = headers['content-type'] ?? 'no content type';
      const bytes = Buffer.byteLength(text, 'utf8');
      throw this.error(method, url, {
        status,
        code: 'malformed',
        retryable: false,
        detail: `the body is not valid JSON (${why}; ${type}, ${bytes} bytes)`,
      });
    }
  }

  /**
   * How long to wait before retrying a refused request, or undefined when it is not retried:
   * 429 and 503 wait as long as the server asks (failing `rate_limited` when that is longer than
   * allowed), 500/502/503/504 back off.
   */
  private retryDelay(
    method: HttpMethod,
    url: URL,
    status: number,
    headers: Record<string, string>,
    text: string,
    idempotent: boolean,
    retries: number,
  ): number | undefined {
    const rateLimited = isRateLimited(status, headers);
    if (!rateLimited && !RETRIED_STATUSES.has(status)) return undefined;
    const serverWait =
      rateLimited || status === 503 ? serverWaitMs(status, headers, this.clock.now()) : undefined;
    if (serverWait !== undefined && serverWait > this.retry.maxRetryAfterMs) {
      const asked = `asked to wait ${seconds(serverWait)} s, more than the allowed ${seconds(this.retry.maxRetryAfterMs)} s`;
      throw this.statusError(method, url, status, headers, text, 'rate_limited', asked);
    }
    // A POST (or PATCH) is retried only when the caller marked it idempotent, even after a 429:
    // behind a gateway a 429 or 5xx does not prove the upstream did not act on it (a ticket
    // created twice), so the caller decides, e.g. the tracker after looking for its marker.
    if (!idempotent || retries >= this.retry.retries) return undefined;
    if (serverWait === undefined) return this.backoff(retries);
    this.options.onRateLimitWait?.(serverWait);
    return serverWait;
  }

  /** Follows a same-origin redirect of a read, or a 307/308 of anything; others become errors. */
  private redirectTarget(method: string, status: number, from: URL, location: string): URL | undefined {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      return undefined;
    }
    const keepsMethod = status === 307 || status === 308 || method === 'GET' || method === 'HEAD';
    return next.origin === this.base.origin && keepsMethod ? next : undefined;
  }

  private statusError(
    method: HttpMethod,
    url: URL,
    status: number,
    headers: Record<string, string>,
    text: string,
    code: UpstreamErrorCode = statusCode(status, headers),
    note?: string,
  ): UpstreamError {
    const upstream = extractErrorDetail(text, headers['content-type']);
    const location = headers.location;
    const redirect =
      status >= 300 && status < 400 && location
        ? `redirected to ${redactUrl(location, this.matcher())}`
        : undefined;
    const detail = [note, redirect, upstream].filter(Boolean).join(': ') || undefined;
    const retryable = code === 'rate_limited' || code === 'server';
    return this.error(method, url, { status, code, retryable, detail });
  }

  private error(
    method: string,
    url: URL,
    init: { code: UpstreamErrorCode; retryable: boolean; status?: number; detail?: string },
  ): UpstreamError {
    return new UpstreamError({
      connector: this.connector,
      method,
      path: this.redact(url.pathname),
      status: init.status,
      code: init.code,
      retryable: init.retryable,
      detail: init.detail === undefined ? undefined : shorten(this.redact(init.detail)),
    });
  }

  /** Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(max, base·2^n)]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return Math.round(Math.random() * ceiling);
  }

  private async wait(ms: number, method: string, url: URL, signal: AbortSignal | undefined, why: string) {
    this.options.logger?.debug(`retrying ${why} in ${ms} ms`, this.fields(method, url));
    try {
      await this.clock.sleep(ms, signal);
    } catch (err) {
      if (signal?.aborted)
        throw this.error(method, url, { code: 'aborted', retryable: false, detail: 'cancelled' });
      throw err;
    }
    this.throwIfAborted(method, url, signal);
  }

  private throwIfAborted(method: string, url: URL, signal: AbortSignal | undefined): void {
    if (signal?.aborted)
      throw this.error(method, url, { code: 'aborted', retryable: false, detail: 'cancelled' });
  }

  private report(method: string, url: URL, status: number, text: string): void {
    if (!this.options.onResponse) return;
    this.options.onResponse({
      method,
      url: this.displayUrl(url),
      status,
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      bytes: Buffer.byteLength(text, 'utf8'),
    });
  }

  private displayUrl(url: URL): string {
    return redactUrl(url.pathname + url.search, this.matcher());
  }

  private fields(method: string, url: URL, status?: number): Record<string, unknown> {
    return { connector: this.connector, method, url: this.displayUrl(url), status };
  }
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

function statusCode(status: number, headers: Record<string, string>): UpstreamErrorCode {
  if (isRateLimited(status, headers)) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server';
  return 'client';
}

/** The policy's refusal behind a failed request (axios wraps the socket's error as its `cause`). */
function addressRefusal(err: unknown): AddressRefusedError | undefined {
  for (let at = err, depth = 0; at && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
    if (at instanceof AddressRefusedError) return at;
  }
  return undefined;
}

function networkDetail(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Header names compared case-insensitively; a later source replaces an earlier one. */
function mergeHeaders(...sources: (Record<string, string> | undefined)[]): Record<string, string> {
  const merged = new Map<string, [string, string]>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) merged.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(merged.values());
}

/** Response headers with lower-case names; repeated headers joined with `, `. */
function plainHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null || typeof value === 'function') continue;
    plain[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return plain;
}

function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function parseAbsolute(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
