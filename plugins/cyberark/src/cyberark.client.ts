/**
 * The PVWA REST calls of this plugin, over the connector's HttpClient (which owns the session,
 * timeouts, concurrency, retries, rate-limit waits and redaction). Paths are under
 * `/PasswordVault/API` of the configured PVWA root.
 */
import {
  paginate,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type QueryValue,
} from '@audit-hub/http';
import { arrayField, field, isObject, text, type JsonObject } from './cyberark-field.reader';
import { MalformedPageError } from './cyberark-page.error';
import { parsePvwaVersion, type PvwaVersion } from './cyberark-version';
import type { ListPage, SafeRef } from './cyberark.types';

export const API = '/PasswordVault/API';
/** Where the PVWA says its version (Gen1 Server web service, still answered by 12.x and later). */
export const SERVER_PATH = '/PasswordVault/WebServices/PIMServices.svc/Server';

/** The filter that makes PVWA list the predefined members (Master, Batch, Auditors…) too. */
export const PREDEFINED_FILTER = 'includePredefinedUsers eq true';

/** Envelopes of a safe list: Gen2 `value`; 11.x `GetSafesResult` (official mock); Gen1 `Safes`. */
const SAFE_ENVELOPES = ['value', 'GetSafesResult', 'Safes'] as const;
/** Envelopes of a member list: Gen2 `value`; Gen1 `SafeMembers`. */
const MEMBER_ENVELOPES = ['value', 'SafeMembers'] as const;
/** Upper bound on user pages: PVWA documents no paging for `GET Users` on self-hosted vaults. */
const MAX_USER_PAGES = 10_000;

/** Extra request fields for a session the caller holds itself (the connection check's own log-on). */
export interface ExplicitSession {
  token: string;
}

export class CyberArkClient {
  constructor(
    readonly http: HttpClient,
    readonly pageSize: number,
    private readonly session?: ExplicitSession,
  ) {}

  /** The same calls over a session the caller opened and will close (no automatic log-on). */
  withSession(token: string): CyberArkClient {
    return new CyberArkClient(this.http, this.pageSize, { token });
  }

  /** Every page of `GET /PasswordVault/API/Safes` (the safes the audit user is a member of). */
  safes(): AsyncGenerator<ListPage> {
    return this.list('/Safes', {}, SAFE_ENVELOPES, 'GET /PasswordVault/API/Safes');
  }

  /** Every page of a safe's members, predefined ones included when asked. */
  members(safe: SafeRef, includePredefinedUsers: boolean): AsyncGenerator<ListPage> {
    const path = `/Safes/${safePathId(safe)}/Members`;
    const keep = includePredefinedUsers ? { filter: PREDEFINED_FILTER } : {};
    return this.list(path, keep, MEMBER_ENVELOPES, `safe "${safe.safeName}" members: GET ${API}${path}`);
  }

  /** `ExternalVersion` of the Server web service; `text` as PVWA wrote it, `version` when readable. */
  async server(): Promise<{ text?: string; version?: PvwaVersion }> {
    const response = await this.http.request<unknown>(this.request(SERVER_PATH, undefined));
    const body = response.data;
    const external = isObject(body) ? text(body, 'ExternalVersion') : undefined;
    const version = parsePvwaVersion(external);
    return { ...(external ? { text: external } : {}), ...(version ? { version } : {}) };
  }

  /** `GET /PasswordVault/API/Safes?limit=1` (connection check). */
  async firstSafes(limit = 1): Promise<ListPage> {
    const where = `GET ${API}/Safes?limit=${limit}`;
    const response = await this.http.request<unknown>(this.request(`${API}/Safes`, { limit }));
    return this.page(response, SAFE_ENVELOPES, where).page;
  }

  /** One member of a safe (connection check: proves View Safe Members there). */
  async firstMembers(safe: SafeRef, includePredefinedUsers: boolean): Promise<ListPage> {
    const path = `${API}/Safes/${safePathId(safe)}/Members`;
    const query = { ...(includePredefinedUsers ? { filter: PREDEFINED_FILTER } : {}), limit: 1 };
    const response = await this.http.request<unknown>(this.request(path, query));
    return this.page(response, MEMBER_ENVELOPES, `GET ${path}?limit=1`).page;
  }

  /**
   * The vault users (`{Users, Total}`, not the `{value, count}` envelope). Self-hosted PVWA
   * documents no paging here and answers every user at once; Privilege Cloud pages with
   * `offset`/`limit`, so the rest is asked for while fewer than `Total` arrived.
   */
  async users(query: Record<string, QueryValue> = { ExtendedDetails: true }): Promise<JsonObject[]> {
    const path = `${API}/Users`;
    const users: JsonObject[] = [];
    const seen = new Set<string>();
    for (let number = 1; number <= MAX_USER_PAGES; number++) {
      const pageQuery = number === 1 ? query : { ...query, offset: users.length, limit: this.pageSize };
      const where = `GET ${path} page ${number}`;
      const response = await this.http.request<unknown>(this.request(path, pageQuery));
      const body = response.data;
      if (!isObject(body)) throw new MalformedPageError(where, 'the answer is not a JSON object');
      const items = arrayField(body, ['Users', 'value']);
      if (!items) throw new MalformedPageError(where, 'the answer has no "Users" list');
      let added = 0;
      for (const item of items) {
        if (!isObject(item)) throw new MalformedPageError(where, 'a user is not a JSON object');
        const key = String(field(item, 'id') ?? text(item, 'username') ?? '').toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        users.push(item);
        added++;
      }
      const total = field(body, 'Total') ?? field(body, 'count');
      if (typeof total !== 'number' || users.length >= total || added === 0) return users;
    }
    return users;
  }

  /** `GET /PasswordVault/API/Users?search=<name>` (connection check: proves Audit users). */
  async findUser(username: string): Promise<JsonObject[]> {
    const path = `${API}/Users`;
    const response = await this.http.request<unknown>(this.request(path, { search: username }));
    const body = response.data;
    const items = isObject(body) ? arrayField(body, ['Users', 'value']) : undefined;
    if (!items) throw new MalformedPageError(`GET ${path}`, 'the answer has no "Users" list');
    return items.filter(isObject);
  }

  /**
   * Pages of a Gen2 list: `offset`/`limit`, then the RELATIVE `nextLink` PVWA answers
   * (`api/Safes?offset=25&limit=25&useCache=False`, relative to `/PasswordVault/`, as psPAS
   * `Get-NextLink` joins it), followed exactly, with `keep` (the member filter) put back in case
   * the link drops it. An empty page ends the list (PVWA sends a `nextLink` even past `count`);
   * without a `nextLink`, the list goes on at the next offset while fewer than `count` (the total)
   * items arrived: `limit` is a maximum, and a server may answer fewer without saying there are
   * more. A page served twice is a `malformed` error (`paginate`). Whether every item arrived is
   * the caller's to judge (`count` against the distinct items: a list that moved while it was read
   * can skip one).
   */
  private async *list(
    path: string,
    keep: Record<string, QueryValue>,
    envelopes: readonly string[],
    label: string,
  ): AsyncGenerator<ListPage> {
    const first = this.request(`${API}${path}`, { ...keep, limit: this.pageSize, offset: 0 });
    let seen = 0;
    let last: { items: number; count?: number; nextLink?: string } = { items: 0 };
    let number = 0;
    const next = (): HttpRequest | null => {
      if (last.items === 0) return null;
      if (last.nextLink) {
        return this.request(resolveNextLink(last.nextLink), Object.keys(keep).length ? keep : undefined);
      }
      if (last.count !== undefined && seen < last.count) {
        return this.request(`${API}${path}`, { ...keep, limit: this.pageSize, offset: seen });
      }
      return null;
    };
    for await (const response of paginate<unknown>(this.http, first, next)) {
      number++;
      const { page, nextLink } = this.page(response, envelopes, `${label} page ${number}`);
      seen += page.items.length;
      last = { items: page.items.length, count: page.count, nextLink };
      yield page;
    }
  }

  private page(
    response: HttpResponse<unknown>,
    envelopes: readonly string[],
    where: string,
  ): { page: ListPage; nextLink?: string } {
    const body = response.data;
    if (!isObject(body)) throw new MalformedPageError(where, 'the answer is not a JSON object');
    const items = arrayField(body, envelopes);
    if (!items) throw new MalformedPageError(where, `the answer has no "${envelopes[0]}" list`);
    const count = field(body, 'count');
    const nextLink = field(body, 'nextLink');
    if (nextLink !== undefined && nextLink !== null && typeof nextLink !== 'string') {
      throw new MalformedPageError(where, '"nextLink" is not a string');
    }
    return {
      page: { items, where, ...(typeof count === 'number' ? { count } : {}) },
      nextLink: typeof nextLink === 'string' && nextLink.trim() ? nextLink.trim() : undefined,
    };
  }

  private request(path: string, query: Record<string, QueryValue> | undefined): HttpRequest {
    return {
      path,
      ...(query ? { query } : {}),
      ...(this.session ? { headers: { Authorization: this.session.token }, anonymous: true } : {}),
    };
  }
}

/**
 * Where a `nextLink` points. PVWA writes it relative to `/PasswordVault/` (`api/Accounts?offset=2&limit=2`
 * in the XSOAR capture, `API/Safes?offset=25&limit=25&useCache=False` in others); a link that already
 * starts with `PasswordVault/`, or an absolute URL (kept on the configured host by the client), is
 * taken as it is.
 */
export function resolveNextLink(link: string): string {
  const trimmed = link.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed;
  const relative = trimmed.replace(/^\/+/, '');
  return /^passwordvault\//i.test(relative) ? `/${relative}` : `/PasswordVault/${relative}`;
}

/**
 * The safe's URL segment. PVWA's `safeUrlId` is already URL-encoded (`Notification%20Engine`), and a
 * safe name cannot contain `%`, so it is decoded and encoded again: the same segment either way.
 */
export function safePathId(safe: Pick<SafeRef, 'safeUrlId' | 'safeName'>): string {
  const id = safe.safeUrlId || safe.safeName;
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    decoded = id;
  }
  return encodeURIComponent(decoded);
}
