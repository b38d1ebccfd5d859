import type { FakeRequest, FakeResponse } from './fakes/fake-http.util';
import { jenkinsOops } from './fakes/jenkins.fake';
import { VAULT_VERSION } from './fakes/vault.fake';

/**
 * Fault switches: per simulated system, what goes wrong with its answers, set when the sandbox
 * starts (`startSandbox({ faults })`) and changed while it runs (`sandbox.setFaults`). Counted
 * faults (`rateLimitBurst`, `serverErrors`, a number of malformed, truncated, lost or held
 * answers) hit the next requests to the system and then stop; the others last until they are
 * switched off. `match` narrows every fault of a system to some requests (one page, one create).
 * Each fault answers in the vendor's own way: GitLab's and ServiceNow's rate-limit headers,
 * Jenkins' "Oops!" page, Vault's `{"errors"}` (and its sealed answers), PVWA's `{"ErrorCode"}` …
 */

export const SANDBOX_SYSTEMS = [
  'gitlab',
  'servicenow',
  'jenkins',
  'sonarqube',
  'vault',
  'cyberark',
  'jira',
] as const;
export type SandboxSystem = (typeof SANDBOX_SYSTEMS)[number];

export interface FaultSwitches {
  /** The next N requests answer 429 with `Retry-After`. */
  rateLimitBurst?: number;
  /** `Retry-After` of those 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** The next N requests answer a server error. */
  serverErrors?: number;
  /** The status of those server errors (default 503). */
  serverErrorStatus?: number;
  /** Every answer waits this long first (ms). */
  slowMs?: number;
  /** JSON answers come back malformed (not JSON): `true` every one, N the next N. */
  malformedJson?: boolean | number;
  /** JSON answers come back cut in half (a complete HTTP message with half a body): `true` every one, N the next N. */
  truncatedJson?: boolean | number;
  /** The system refuses the credentials it is sent (its vendor's 401; Vault's 403 "permission denied"). */
  authFailure?: boolean;
  /** The system is down: every connection to it is reset without an answer. */
  down?: boolean;
  /**
   * Vault only: Vault is sealed. It still answers, as a sealed Vault does: `sys/health` with 503 and
   * `"sealed": true`, `sys/seal-status` with 200, every other path `503 {"errors":["Vault is sealed"]}`
   * whatever the token.
   */
  sealed?: boolean;
  /**
   * The next N requests (`true`: every one) are carried out by the fake, but the answer never arrives:
   * the connection is reset after the fake acted (a gateway or a link that died in between).
   */
  lostAnswers?: boolean | number;
  /**
   * The next N requests (`true`: every one) are carried out by the fake, and the answer is held back
   * until the system's switches change or the sandbox closes (an upstream that acted, then hung).
   */
  heldAnswers?: boolean | number;
  /**
   * Only requests whose `METHOD /path` (the path inside the system, without the query:
   * `POST /rest/api/3/issue`) matches this regular expression meet the faults; counted faults count
   * only those. Default: every request.
   */
  match?: string;
}

export type SandboxFaults = Partial<Record<SandboxSystem, FaultSwitches>>;

/** What the fault layer decided for one request. */
export type FaultAction =
  | { kind: 'reset' }
  | { kind: 'answer'; response: FakeResponse }
  | {
      kind: 'pass';
      request: FakeRequest;
      transform?: 'malformed' | 'truncated';
      /** After the fake acted: the connection is reset (`lost`), or the answer held back (`held`). */
      after?: 'lost' | 'held';
    };

interface SystemState {
  switches: FaultSwitches;
  rateLimited: number;
  serverErrors: number;
  malformed: number;
  truncated: number;
  lost: number;
  held: number;
  match?: RegExp;
}

export interface SystemStats {
  requests: number;
  faults: number;
}

/** Which fault met a request, as the request log shows it. */
export type FaultKind =
  | 'down'
  | 'sealed'
  | 'rate_limited'
  | 'server_error'
  | 'auth_failure'
  | 'malformed'
  | 'truncated'
  | 'lost'
  | 'held';

/** One request a system received (wall-clock time), and the fault that met it, if any. */
export interface RequestLogEntry {
  at: number;
  method: string;
  /** The path inside the system, with its query. */
  target: string;
  fault?: FaultKind;
}

/** Requests kept per system in the log by default (the oldest are dropped). */
export const REQUEST_LOG_LIMIT = 20_000;

function count(value: boolean | number | undefined): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  return typeof value === 'number' && value > 0 ? Math.floor(value) : 0;
}

function validate(system: string, faults: FaultSwitches): void {
  if (!(SANDBOX_SYSTEMS as readonly string[]).includes(system))
    throw new Error(`sandbox faults: unknown system "${system}" (one of ${SANDBOX_SYSTEMS.join(', ')})`);
  for (const [key, value] of Object.entries(faults)) {
    if (value === undefined) continue;
    const numeric = ['rateLimitBurst', 'retryAfterSeconds', 'serverErrors', 'serverErrorStatus', 'slowMs'];
    if (numeric.includes(key) && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
      throw new Error(
        `sandbox faults: ${system}.${key} must be a non-negative number, got ${JSON.stringify(value)}`,
      );
    const counted = ['malformedJson', 'truncatedJson', 'lostAnswers', 'heldAnswers'];
    if (counted.includes(key) && typeof value !== 'boolean' && typeof value !== 'number')
      throw new Error(`sandbox faults: ${system}.${key} must be true, false or a count`);
    if (['authFailure', 'down', 'sealed'].includes(key) && typeof value !== 'boolean')
      throw new Error(`sandbox faults: ${system}.${key} must be true or false`);
    if (key === 'sealed' && system !== 'vault')
      throw new Error(`sandbox faults: ${system}.sealed: only Vault can be sealed`);
    if (key === 'match') {
      if (typeof value !== 'string')
        throw new Error(`sandbox faults: ${system}.match must be a regular expression`);
      try {
        new RegExp(value);
      } catch (err) {
        throw new Error(`sandbox faults: ${system}.match: ${(err as Error).message}`);
      }
    }
    const known = [...numeric, ...counted, 'authFailure', 'down', 'sealed', 'match'];
    if (!known.includes(key)) throw new Error(`sandbox faults: unknown switch ${system}.${key}`);
  }
  if (
    faults.serverErrorStatus !== undefined &&
    (faults.serverErrorStatus < 500 || faults.serverErrorStatus > 599)
  )
    throw new Error(`sandbox faults: ${system}.serverErrorStatus must be a 5xx status`);
}

export class FaultBoard {
  private readonly systems = new Map<SandboxSystem, SystemState>();
  private readonly stats = new Map<SandboxSystem, SystemStats>();
  private readonly log = new Map<SandboxSystem, RequestLogEntry[]>();

  /** `logLimit`: requests kept per system (benchmarks replay every request a run made). */
  constructor(
    initial: SandboxFaults = {},
    private readonly logLimit = REQUEST_LOG_LIMIT,
  ) {
    for (const [system, faults] of Object.entries(initial)) this.set(system as SandboxSystem, faults ?? {});
  }

  /** Replaces the system's switches; `{}` switches every fault off. Counted faults start again. */
  set(system: SandboxSystem, faults: FaultSwitches): void {
    validate(system, faults);
    this.systems.set(system, {
      switches: { ...faults },
      rateLimited: count(faults.rateLimitBurst),
      serverErrors: count(faults.serverErrors),
      malformed: count(faults.malformedJson),
      truncated: count(faults.truncatedJson),
      lost: count(faults.lostAnswers),
      held: count(faults.heldAnswers),
      ...(faults.match !== undefined ? { match: new RegExp(faults.match) } : {}),
    });
  }

  get(system: SandboxSystem): FaultSwitches {
    return { ...(this.systems.get(system)?.switches ?? {}) };
  }

  /** Requests each system received, and how many of them a fault answered or altered. */
  statistics(): Record<SandboxSystem, SystemStats> {
    return Object.fromEntries(
      SANDBOX_SYSTEMS.map((s) => [s, { ...(this.stats.get(s) ?? { requests: 0, faults: 0 }) }]),
    ) as Record<SandboxSystem, SystemStats>;
  }

  /** The requests the system received, oldest first (at most the last `logLimit`). */
  requests(system: SandboxSystem): RequestLogEntry[] {
    return [...(this.log.get(system) ?? [])];
  }

  /** How long the request waits before its answer (`slowMs`, when `match` lets it meet the faults). */
  slowMs(system: SandboxSystem, request?: FakeRequest): number {
    const state = this.systems.get(system);
    if (!state || (request && !this.meets(state, request))) return 0;
    return state.switches.slowMs ?? 0;
  }

  private meets(state: SystemState, request: FakeRequest): boolean {
    return !state.match || state.match.test(`${request.method} ${request.path}`);
  }

  /** Decides what happens to one request to the system (after any slow wait). */
  decide(system: SandboxSystem, request: FakeRequest): FaultAction {
    const stats = this.stats.get(system) ?? { requests: 0, faults: 0 };
    this.stats.set(system, stats);
    stats.requests++;
    const log = this.log.get(system) ?? [];
    this.log.set(system, log);
    const query = request.query.toString();
    const entry: RequestLogEntry = {
      at: Date.now(),
      method: request.method,
      target: query ? `${request.path}?${query}` : request.path,
    };
    log.push(entry);
    if (log.length > this.logLimit) log.splice(0, log.length - this.logLimit);
    const state = this.systems.get(system);
    if (!state || !this.meets(state, request)) return { kind: 'pass', request };
    const faulted = <T extends FaultAction>(fault: FaultKind, action: T): T => {
      stats.faults++;
      entry.fault = fault;
      return action;
    };
    if (state.switches.down) return faulted('down', { kind: 'reset' });
    if (state.switches.sealed) return faulted('sealed', { kind: 'answer', response: vaultSealed(request) });
    if (state.rateLimited > 0) {
      state.rateLimited--;
      return faulted('rate_limited', {
        kind: 'answer',
        response: tooManyRequests(system, state.switches.retryAfterSeconds ?? 1),
      });
    }
    if (state.serverErrors > 0) {
      state.serverErrors--;
      return faulted('server_error', {
        kind: 'answer',
        response: serverError(system, state.switches.serverErrorStatus ?? 503),
      });
    }
    const passed = state.switches.authFailure ? withWrongCredentials(request) : request;
    if (state.malformed > 0) {
      state.malformed--;
      return faulted('malformed', { kind: 'pass', request: passed, transform: 'malformed' });
    }
    if (state.truncated > 0) {
      state.truncated--;
      return faulted('truncated', { kind: 'pass', request: passed, transform: 'truncated' });
    }
    if (state.lost > 0) {
      state.lost--;
      return faulted('lost', { kind: 'pass', request: passed, after: 'lost' });
    }
    if (state.held > 0) {
      state.held--;
      return faulted('held', { kind: 'pass', request: passed, after: 'held' });
    }
    return state.switches.authFailure
      ? faulted('auth_failure', { kind: 'pass', request: passed })
      : { kind: 'pass', request };
  }
}

/**
 * A sealed Vault's answer (api-docs/system/health.mdx, seal-status.mdx): health is 503 with
 * `sealed: true` (and no cluster yet), seal status 200, and every other request — token or not —
 * `503 {"errors":["Vault is sealed"]}`.
 */
export function vaultSealed(request: FakeRequest): FakeResponse {
  const path = request.path.replace(/\/+$/, '');
  if (path === '/v1/sys/health')
    return jsonBody(503, {
      initialized: true,
      sealed: true,
      standby: true,
      performance_standby: false,
      replication_performance_mode: 'unknown',
      replication_dr_mode: 'unknown',
      server_time_utc: Math.floor(Date.now() / 1000),
      version: VAULT_VERSION,
      enterprise: false,
    });
  if (path === '/v1/sys/seal-status')
    return jsonBody(200, {
      type: 'shamir',
      initialized: true,
      sealed: true,
      t: 3,
      n: 5,
      progress: 0,
      nonce: '',
      version: VAULT_VERSION,
      build_date: '2024-02-28T17:07:34Z',
      migration: false,
      recovery_seal: false,
      storage_type: 'raft',
    });
  return jsonBody(503, { errors: ['Vault is sealed'] });
}

function jsonBody(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** A 429 as the vendor words it (GitLab's `RateLimit-*`, ServiceNow's `X-RateLimit-*` and failure body …). */
export function tooManyRequests(system: SandboxSystem, retryAfter: number): FakeResponse {
  const headers = { 'retry-after': String(retryAfter) };
  const reset = String(Math.floor(Date.now() / 1000) + retryAfter);
  switch (system) {
    case 'gitlab':
      return {
        status: 429,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          ...headers,
          'ratelimit-limit': '600',
          'ratelimit-observed': '601',
          'ratelimit-remaining': '0',
          'ratelimit-reset': reset,
        },
        body: 'Retry later\n',
      };
    case 'servicenow':
      return jsonBody(
        429,
        {
          error: {
            message: 'Rate limit exceeded',
            detail:
              'The maximum number of requests per hour allowed by the rate limit rule has been exceeded',
          },
          status: 'failure',
        },
        {
          ...headers,
          'x-ratelimit-limit': '5000',
          'x-ratelimit-reset': reset,
          'x-ratelimit-rule': 'a1b2c3d4e5f6',
        },
      );
    case 'vault':
      return jsonBody(429, { errors: ['request path "v1/identity": rate limit quota exceeded'] }, headers);
    case 'sonarqube':
      return jsonBody(429, { errors: [{ msg: 'Too many requests' }] }, headers);
    case 'cyberark':
      return jsonBody(429, { ErrorCode: 'CAWS00001E', ErrorMessage: 'Too many requests.' }, headers);
    case 'jira':
      return jsonBody(
        429,
        { errorMessages: ['Rate limit exceeded.'], errors: {} },
        { ...headers, 'x-ratelimit-remaining': '0' },
      );
    case 'jenkins':
      // Jenkins has no rate limit of its own: this is the proxy in front of it.
      return {
        status: 429,
        headers: { 'content-type': 'text/html', ...headers },
        body: '<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>',
      };
  }
}

/** A server error in the vendor's shape (Jenkins' "Oops!" page, GitLab's message, …). */
export function serverError(system: SandboxSystem, status: number): FakeResponse {
  const text =
    status === 502
      ? 'Bad Gateway'
      : status === 503
        ? 'Service Unavailable'
        : status === 504
          ? 'Gateway Timeout'
          : 'Internal Server Error';
  switch (system) {
    case 'gitlab':
      return jsonBody(status, { message: `${status} ${text}` });
    case 'servicenow':
      return jsonBody(status, { error: { message: text, detail: null }, status: 'failure' });
    case 'vault':
      return jsonBody(status, { errors: [`1 error occurred:\n\t* ${text.toLowerCase()}\n\n`] });
    case 'sonarqube':
      return jsonBody(status, {
        errors: [{ msg: 'An error has occurred. Please contact your administrator' }],
      });
    case 'cyberark':
      return jsonBody(status, { ErrorCode: 'CAWS00001E', ErrorMessage: 'Unexpected error occurred.' });
    case 'jira':
      return jsonBody(status, { errorMessages: [`Internal server error`], errors: {} });
    case 'jenkins':
      return status === 500 ? jenkinsOops() : { ...jenkinsOops(), status };
  }
}

/** The request with its credentials replaced by wrong ones, each in the scheme it was sent in. */
export function withWrongCredentials(request: FakeRequest): FakeRequest {
  const headers = { ...request.headers };
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  if (authorization !== undefined) {
    if (/^Basic\s/i.test(authorization)) {
      const [user] = Buffer.from(authorization.replace(/^Basic\s+/i, ''), 'base64')
        .toString('utf8')
        .split(':');
      headers.authorization = `Basic ${Buffer.from(`${user}:wrong-credentials`).toString('base64')}`;
    } else if (/^Bearer\s/i.test(authorization)) headers.authorization = 'Bearer wrong-credentials';
    else headers.authorization = 'wrong-session-token';
  }
  if (headers['private-token'] !== undefined) headers['private-token'] = 'wrong-credentials';
  if (headers['x-vault-token'] !== undefined) headers['x-vault-token'] = 'wrong-credentials';
  let body = request.body;
  if (body) {
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && 'password' in parsed)
        body = JSON.stringify({ ...parsed, password: 'wrong-credentials' });
    } catch {
      // Not JSON: nothing to spoil.
    }
  }
  return { ...request, headers, ...(body !== undefined ? { body } : {}) };
}

/** A JSON answer spoiled: not JSON any more, or cut in half. Other answers are left as they are. */
export function spoil(response: FakeResponse, how: 'malformed' | 'truncated'): FakeResponse {
  if (!/json/i.test(response.headers['content-type'] ?? '') || response.body.length === 0) return response;
  const body =
    how === 'truncated'
      ? response.body.slice(0, Math.max(1, Math.floor(response.body.length / 2)))
      : `${response.body.slice(0, -1)},}<`;
  return { ...response, body };
}
