/**
 * The Vault HTTP API v1 calls of this plugin, over the connector's HttpClient (which owns the
 * token and namespace headers, timeouts, concurrency, retries, 429 waits and redaction). Paths are
 * under `/v1` of the configured Vault address.
 */
import {
  isUpstreamError,
  parseJsonLossless,
  UpstreamError,
  withDetail,
  type HttpClient,
  type HttpRequest,
  type UpstreamErrorCode,
} from '@audit-hub/http';
import type { ListMethod } from './vault.config';
import { joinNamespace, qualify } from './vault-namespace';
import type { VaultCapabilities, VaultHealth, VaultListBody, VaultTokenLookup } from './vault.types';

/** The API paths read, as Vault policies name them (without `/v1/`). */
export const VAULT_PATHS = {
  entities: 'identity/entity/id',
  groups: 'identity/group/id',
  policies: 'sys/policies/acl',
  health: 'sys/health',
  lookupSelf: 'auth/token/lookup-self',
  capabilitiesSelf: 'sys/capabilities-self',
  namespaces: 'sys/namespaces',
} as const;

/**
 * `sys/health` answers with a status that encodes the node's state (system/health.mdx): 200 active,
 * 429 unsealed standby, 472 DR secondary, 473 performance standby, 501 not initialized, 503 sealed.
 * Each one means Vault answered.
 */
export const HEALTH_STATUSES = [200, 429, 472, 473, 501, 503] as const;

export interface HealthAnswer {
  status: number;
  body: VaultHealth;
}

/**
 * Every call takes the namespace it is for, relative to the configured base (`''`: the base, whose
 * `X-Vault-Namespace` the auth strategy sends); another one is sent as that request's own header,
 * with the absolute path.
 */
export class VaultClient {
  constructor(
    readonly http: HttpClient,
    private readonly listMethod: ListMethod,
    /** The configured base namespace (absolute, `''` for root). */
    readonly base = '',
  ) {}

  /**
   * The keys of a list (`LIST /v1/<path>`, or `GET /v1/<path>?list=true`). Vault answers an empty
   * list with `404 {"errors":[]}` (api-docs/index.mdx), which is no keys, not a failure; a 404 that
   * carries a message (an unknown path or namespace) is an error. A 403 names the capability the
   * token's policies lack.
   */
  async list(path: string, namespace = ''): Promise<string[]> {
    const request: HttpRequest = {
      method: this.listMethod,
      path: `/v1/${path}`,
      query: this.listMethod === 'GET' ? { list: 'true' } : undefined,
      headers: { Accept: 'application/json', ...this.namespaceHeader(namespace) },
      okStatuses: [404],
      responseType: 'text',
    };
    let response;
    try {
      response = await this.http.request<string>(request);
    } catch (err) {
      throw this.withCapability(err, 'list', path, namespace);
    }
    const body = this.parse(response.data, request, response.status);
    if (response.status === 404) {
      const errors = isObject(body) ? body.errors : undefined;
      if (Array.isArray(errors) && errors.length === 0) return [];
      const said = Array.isArray(errors) ? errors.filter((e) => typeof e === 'string').join('; ') : '';
      throw this.failure(request, 404, 'not_found', said || 'a 404 that is not Vault’s empty list');
    }
    const list = body as VaultListBody;
    const keys = isObject(list) ? (isObject(list.data) ? list.data.keys : list.keys) : undefined;
    if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
      throw this.failure(request, response.status, 'malformed', 'the body has no data.keys list of strings');
    }
    return keys as string[];
  }

  /**
   * A read's `data` object. The docs samples show only `data`, and some endpoints answer without the
   * envelope (`sys/policies/acl/:name`): a body with no `data` key is taken as the object itself.
   * A 403 names the capability (`read` on `policyPath`) the token's policies lack.
   */
  async read<T extends object>(path: string, policyPath = path, namespace = ''): Promise<T> {
    const header = this.namespaceHeader(namespace);
    const request: HttpRequest = {
      method: 'GET',
      path: `/v1/${path}`,
      ...(header ? { headers: header } : {}),
    };
    let response;
    try {
      response = await this.http.request<unknown>(request);
    } catch (err) {
      throw this.withCapability(err, 'read', policyPath, namespace);
    }
    const body = response.data;
    const data = isObject(body) && 'data' in body ? body.data : body;
    if (!isObject(data)) {
      throw this.failure(
        request,
        response.status,
        'malformed',
        'the body is not a JSON object with a data object',
      );
    }
    return data as T;
  }

  /**
   * `GET /v1/sys/health`, whichever of its documented statuses it answers with. The one request sent
   * without the token and namespace headers: it is unauthenticated, and Vault Enterprise serves it
   * from the root namespace only (system/health.mdx "Restricted endpoint").
   */
  async health(): Promise<HealthAnswer> {
    const request: HttpRequest = {
      method: 'GET',
      path: `/v1/${VAULT_PATHS.health}`,
      okStatuses: [...HEALTH_STATUSES],
      anonymous: true,
    };
    const response = await this.http.request<unknown>(request);
    return { status: response.status, body: isObject(response.data) ? (response.data as VaultHealth) : {} };
  }

  /** `GET /v1/auth/token/lookup-self`: the token's own properties (its `id` and `accessor` are never used). */
  lookupSelf(): Promise<VaultTokenLookup> {
    return this.read<VaultTokenLookup>(VAULT_PATHS.lookupSelf);
  }

  /**
   * `POST /v1/sys/capabilities-self {"paths": [...]}` in a namespace: the token's capabilities on
   * each path, from its own policies and those of its entity and groups (the default policy grants
   * `update` here). A path no policy grants answers `["deny"]`, as does an explicit deny.
   */
  async capabilities(paths: readonly string[], namespace = ''): Promise<Map<string, string[]>> {
    const header = this.namespaceHeader(namespace);
    const path = `/v1/${VAULT_PATHS.capabilitiesSelf}`;
    const request: HttpRequest = {
      method: 'POST',
      path,
      body: { paths: [...paths] },
      idempotent: true,
      ...(header ? { headers: header } : {}),
    };
    const response = await this.http.request<unknown>(request);
    const body = response.data;
    const data = (isObject(body) && isObject(body.data) ? body.data : body) as VaultCapabilities;
    if (!isObject(data))
      throw this.failure(request, response.status, 'malformed', 'the body is not an object');
    const out = new Map<string, string[]>();
    for (const asked of paths) {
      const granted = data[asked];
      if (!Array.isArray(granted) || granted.some((c) => typeof c !== 'string'))
        throw this.failure(request, response.status, 'malformed', `no capability list for "${asked}"`);
      out.set(asked, granted as string[]);
    }
    return out;
  }

  /**
   * The child namespaces of one (`LIST /v1/sys/namespaces`, Vault Enterprise), as paths relative
   * to the base (`team-a`, `team-a/ci`). Vault lists them with a trailing slash (`["ns1/", "ns2/"]`).
   */
  async childNamespaces(namespace = ''): Promise<string[]> {
    const keys = await this.list(VAULT_PATHS.namespaces, namespace);
    return keys
      .map((key) => key.replace(/\/+$/, ''))
      .filter((key) => key !== '')
      .map((key) => qualify(namespace, key));
  }

  /** How a list request is shown in problems and checks: `LIST /v1/identity/entity/id`, `LIST /v1/team-a/identity/entity/id`. */
  listLabel(path: string, namespace = ''): string {
    const target = qualify(namespace, path);
    return this.listMethod === 'GET' ? `GET /v1/${target}?list=true` : `LIST /v1/${target}`;
  }

  /** The header that sends a request to another namespace than the base; undefined for the base. */
  private namespaceHeader(namespace: string): Record<string, string> | undefined {
    return namespace ? { 'X-Vault-Namespace': joinNamespace(this.base, namespace) } : undefined;
  }

  /** An error's message with every secret the client knows redacted (Vault errors may echo a request). */
  describe(err: unknown): string {
    return this.http.redact(err instanceof Error ? err.message : String(err));
  }

  private parse(text: string, request: HttpRequest, status: number): unknown {
    try {
      return parseJsonLossless(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const code: UpstreamErrorCode = status === 404 ? 'not_found' : 'malformed';
      throw this.failure(request, status, code, `the body is not valid JSON (${why})`);
    }
  }

  /** A 403 rethrown with the capability to add; any other error as it was. */
  private withCapability(
    err: unknown,
    capability: 'list' | 'read',
    policyPath: string,
    namespace: string,
  ): unknown {
    if (!isUpstreamError(err) || err.code !== 'forbidden') return err;
    const said = err.detail ? ` (Vault said: ${err.detail})` : '';
    const where = namespace ? ` in namespace ${joinNamespace(this.base, namespace)}` : '';
    return withDetail(
      err,
      `the token's policies must grant the "${capability}" capability on "${policyPath}"${where}${said}`,
    );
  }

  private failure(
    request: HttpRequest,
    status: number,
    code: UpstreamErrorCode,
    detail: string,
  ): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method: request.method ?? 'GET',
      path: this.http.redact(request.path),
      status,
      code,
      retryable: false,
      detail: this.http.redact(detail),
    });
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
