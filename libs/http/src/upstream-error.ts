/**
 * The one error type of the upstream boundary. It names the connector, method, path and status,
 * carries a closed code and whether a retry can help, and never holds a secret: the message and
 * detail are redacted by the client before construction.
 */
export type UpstreamErrorCode =
  | 'network' // connection refused, reset, DNS
  | 'timeout' // no answer within the request timeout
  | 'aborted' // the run was cancelled
  | 'unauthorized' // 401: credentials missing, wrong or expired
  | 'forbidden' // 403: the account lacks a permission
  | 'not_found' // 404
  | 'rate_limited' // 429 (or vendor equivalent) still refused after the allowed waits
  | 'server' // 5xx
  | 'client' // other 4xx
  | 'malformed' // a 2xx body that is not what the API documents (bad JSON, wrong shape)
  | 'address_refused'; // the host is, or resolves to, an address the network policy refuses

export interface UpstreamErrorInit {
  connector: string;
  method: string;
  path: string;
  status?: number;
  code: UpstreamErrorCode;
  retryable: boolean;
  /** The upstream's own error text (redacted, shortened), when it gave one. */
  detail?: string;
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly connector: string;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly code: UpstreamErrorCode;
  readonly retryable: boolean;
  readonly detail?: string;

  constructor(init: UpstreamErrorInit, message?: string) {
    const status = init.status !== undefined ? ` ${init.status}` : '';
    const detail = init.detail ? `: ${init.detail}` : '';
    super(
      message ?? `${init.connector}: ${init.method} ${init.path} failed (${init.code}${status})${detail}`,
    );
    this.name = 'UpstreamError';
    this.connector = init.connector;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.detail = init.detail;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      connector: this.connector,
      method: this.method,
      path: this.path,
      status: this.status,
      code: this.code,
      retryable: this.retryable,
    };
  }
}

/**
 * The same failure told with another detail (what the upstream's answer means, what to grant), never
 * retried: the request, status and code are kept.
 */
export function withDetail(err: UpstreamError, detail: string): UpstreamError {
  return new UpstreamError({
    connector: err.connector,
    method: err.method,
    path: err.path,
    status: err.status,
    code: err.code,
    retryable: false,
    detail,
  });
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}
