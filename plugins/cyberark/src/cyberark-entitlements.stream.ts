/**
 * `entitlements` (snapshot): every (member, safe) pair of the safes the audit user can see and
 * `options.safes` selects. One batch per safe. A safe whose members cannot be read is a problem
 * naming it (the stream is `partial`, so no entitlement is marked deleted); a failed log-on or an
 * expired session that cannot be renewed fails the stream.
 *
 * PVWA lists only the safes the audit user is a member of: a safe it is not a member of is not
 * missing, it is invisible, and its members cannot be told from none. The connector cannot see
 * such a safe; it can only hold the visible ones against what it was told to expect (the literal
 * names in `options.safes`) and against the list's own `count`, and say so when they fall short.
 */
import type { NormalizedRecord } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { Batch, PluginLogger, StreamDefinition, StreamProblem } from '@audit-hub/plugin-sdk';
import { CyberArkLogonError } from './cyberark.auth';
import { API, type CyberArkClient } from './cyberark.client';
import type { ResolvedCyberArkOptions } from './cyberark.config';
import { mapMember } from './cyberark-entitlement.mapper';
import { MalformedPageError } from './cyberark-page.error';
import { SafeFilter } from './cyberark-safe.filter';
import { toSafeRef } from './cyberark-safe.mapper';
import { isSupported, MIN_SUPPORTED_TEXT, type PvwaVersion } from './cyberark-version';
import type { ListPage, SafeRef, VaultUserStatus } from './cyberark.types';
import { userStatusIndex } from './cyberark-user.mapper';

export const ENTITLEMENTS_STREAM = 'entitlements';

/** Safes whose members are read at once (the HTTP client bounds requests in flight anyway). */
export const SAFES_READ_AHEAD = 4;

/** What makes a safe and its members readable to the audit user (problems' and checks' `fix`). */
export const MEMBER_FIX =
  'make the audit user a member of the safe with List accounts and View Safe Members, or keep the Auditors group (with the audit user in it) a member of the safe';

export interface EntitlementsStreamDeps {
  client: CyberArkClient;
  options: Pick<ResolvedCyberArkOptions, 'safes' | 'includePredefinedUsers' | 'userStatus'>;
  logger: PluginLogger;
  redact: (text: string) => string;
}

export function createEntitlementsStream(deps: EntitlementsStreamDeps): StreamDefinition {
  return {
    name: ENTITLEMENTS_STREAM,
    kinds: ['entitlement'],
    mode: 'snapshot',
    read: () => new EntitlementsRun(deps).batches(),
  };
}

class EntitlementsRun {
  /** Asked once, and only when an answer looks like an older PVWA (a 404 where Gen2 lives). */
  private version: Promise<PvwaVersion | undefined> | undefined;
  /** Set when the PVWA turned out older than the connector reads: no further safe is asked for. */
  private unsupported: StreamProblem | undefined;

  constructor(private readonly deps: EntitlementsStreamDeps) {}

  async *batches(): AsyncGenerator<Batch> {
    const { safes, problems } = await this.listSafes();
    if (this.unsupported) {
      yield { records: [], problems: this.clean([this.unsupported]) };
      return;
    }
    const users = this.deps.options.userStatus && safes.length > 0 ? await this.readUsers() : null;
    if (problems.length > 0) yield { records: [], problems: this.clean(problems) };
    const batches = readAhead(safes, SAFES_READ_AHEAD, (safe) => this.readSafe(safe, users));
    let told = false;
    for await (const batch of batches) {
      if (this.unsupported) {
        if (!told) yield { records: [], problems: this.clean([this.unsupported]) };
        told = true;
        continue;
      }
      if (batch.records.length > 0 || batch.problems?.length) yield batch;
    }
  }

  /**
   * The safes to read. Seeing no safe at all is a problem, not an empty vault: every vault has
   * safes, and an empty snapshot would mark every entitlement deleted (and resolve its findings)
   * when the audit user merely lost its memberships. So is a safe named in `options.safes` that is
   * not visible, and a list that ends short of its `count`.
   */
  private async listSafes(): Promise<{ safes: SafeRef[]; problems: StreamProblem[] }> {
    const { client, options } = this.deps;
    const filter = new SafeFilter(options.safes);
    const safes: SafeRef[] = [];
    const problems: StreamProblem[] = [];
    const names = new Set<string>();
    let count: number | undefined;
    let complete = false;
    try {
      for await (const page of client.safes()) {
        if (page.count !== undefined) count = page.count;
        for (const item of page.items) {
          const safe = toSafeRef(item);
          if ('problem' in safe) {
            problems.push({ where: page.where, error: safe.problem });
            continue;
          }
          // Offset paging over a list that changes during the read can serve a safe twice.
          const key = safe.safeName.toLowerCase();
          if (names.has(key)) continue;
          names.add(key);
          if (filter.matches(safe.safeName)) safes.push(safe);
        }
      }
      complete = true;
    } catch (err) {
      if (isUpstreamError(err) && err.code === 'not_found' && !(err instanceof CyberArkLogonError)) {
        problems.push(await this.missingApi(err, `GET ${API}/Safes`));
        return { safes: [], problems };
      }
      if (!(err instanceof MalformedPageError) && !isMalformed(err)) throw err;
      problems.push(problemOf(err, `GET ${API}/Safes`));
    }
    if (complete && count !== undefined && names.size < count) {
      problems.push(shortList(`GET ${API}/Safes`, names.size, count, 'safes'));
    }
    const visible = names.size;
    if (visible === 0 && problems.length === 0) {
      problems.push({
        where: `GET ${API}/Safes`,
        error:
          'no safe is visible to the audit user: make it a member of the safes to audit (List accounts, View Safe members) or of the Auditors group',
        code: 'cyberark-no-safe-visible',
        fix: MEMBER_FIX,
        lasting: true,
      });
    } else if (safes.length === 0 && visible > 0) {
      problems.push({
        where: 'options.safes',
        error: `none of the ${visible} visible safes matches ${options.safes.map((g) => JSON.stringify(g)).join(', ')}`,
        code: 'cyberark-no-safe-selected',
        fix: 'correct options.safes, or make the audit user a member of the safes it names',
        lasting: true,
      });
    }
    if (complete) problems.push(...invisible(filter, names));
    return { safes, problems };
  }

  /**
   * The vault users' status, for the entitlements' raw data. Optional context: without the *Audit
   * users* authorization (403) the entitlements are still complete, so this is a warning, not a problem.
   */
  private async readUsers(): Promise<Map<string, VaultUserStatus> | null> {
    try {
      return userStatusIndex(await this.deps.client.users());
    } catch (err) {
      if (isFatal(err)) throw err;
      this.deps.logger.warn('cyberark: vault users not read; entitlements carry no suspended/enableUser', {
        error: this.deps.redact(messageOf(err)),
      });
      return null;
    }
  }

  private async readSafe(safe: SafeRef, users: ReadonlyMap<string, VaultUserStatus> | null): Promise<Batch> {
    const { client, options } = this.deps;
    if (this.unsupported) return { records: [] };
    const records: NormalizedRecord[] = [];
    const problems: StreamProblem[] = [];
    const seen = new Set<string>();
    let last: ListPage | undefined;
    let complete = false;
    try {
      for await (const page of client.members(safe, options.includePredefinedUsers)) {
        last = page;
        for (const item of page.items) {
          const mapped = mapMember(item, safe, users);
          if (mapped.problem) problems.push({ where: page.where, error: mapped.problem });
          if (mapped.record && !seen.has(mapped.record.externalId)) {
            seen.add(mapped.record.externalId);
            records.push(mapped.record);
          }
        }
      }
      complete = true;
    } catch (err) {
      if (isFatal(err)) throw err;
      problems.push(await this.memberProblem(safe, err));
    }
    if (complete && last?.count !== undefined && seen.size < last.count) {
      problems.push(shortList(`safe "${safe.safeName}" members`, seen.size, last.count, 'members'));
    }
    return problems.length > 0 ? { records, problems: this.clean(problems) } : { records };
  }

  private async memberProblem(safe: SafeRef, err: unknown): Promise<StreamProblem> {
    const where = `safe "${safe.safeName}" members`;
    if (isUpstreamError(err) && err.code === 'forbidden') {
      // Visible, but its members are not: unreadable, never "no members".
      return {
        where,
        error: messageOf(err),
        code: 'cyberark-members-forbidden',
        fix: MEMBER_FIX,
        lasting: true,
      };
    }
    if (isUpstreamError(err) && err.code === 'not_found') {
      const missing = await this.missingApi(err, where);
      // An older PVWA answers no member of any safe: said once, for the run.
      if (missing.code === 'cyberark-unsupported-version') return missing;
    }
    return problemOf(err, where);
  }

  /**
   * A 404 where the Gen2 API lives: on a PVWA older than 12.1 it is the version (said once, and
   * nothing more is asked for); otherwise the answer stands as it is (a safe deleted during the
   * read, a wrong base URL).
   */
  private async missingApi(err: unknown, where: string): Promise<StreamProblem> {
    this.version ??= this.deps.client.server().then(
      (answer) => answer.version,
      () => undefined,
    );
    const version = await this.version;
    if (version && !isSupported(version)) {
      this.unsupported ??= {
        where: `PVWA ${version.text}`,
        error: `PVWA ${version.text} is not supported: the Gen2 Safes and Safe Members APIs this connector reads need ${MIN_SUPPORTED_TEXT} or later (${messageOf(err)}); nothing was read`,
        code: 'cyberark-unsupported-version',
        fix: `upgrade the PVWA to ${MIN_SUPPORTED_TEXT} or later`,
        lasting: true,
      };
      return this.unsupported;
    }
    return { where, error: messageOf(err) };
  }

  private clean(problems: StreamProblem[]): StreamProblem[] {
    return problems.map((p) => ({
      ...p,
      where: this.deps.redact(p.where),
      error: this.deps.redact(p.error),
    }));
  }
}

/**
 * The literal names of `options.safes` (no `*` or `?`) that no visible safe answers to. PVWA
 * answers a safe the user is not a member of exactly like one that does not exist, so each is a
 * lasting problem: the entitlements it holds cannot be read, never "none".
 */
function invisible(filter: SafeFilter, visible: ReadonlySet<string>): StreamProblem[] {
  return filter.globs
    .filter((glob) => !/[*?]/.test(glob) && !visible.has(glob.toLowerCase()))
    .map((name) => ({
      where: 'options.safes',
      error: `safe "${name}" is not visible to the audit user: PVWA lists only the safes a user is a member of, so it may exist with members that cannot be read`,
      code: 'cyberark-safe-not-visible',
      fix: MEMBER_FIX,
      lasting: true,
    }));
}

/** A list that ended with fewer distinct items than its own `count`: one moved while it was read. */
function shortList(where: string, read: number, count: number, what: string): StreamProblem {
  return {
    where,
    error: `${read} ${what} read, but PVWA counts ${count}: the list changed while it was paged, and the missing ones are unknown`,
    code: 'cyberark-list-incomplete',
  };
}

/**
 * Errors that end the stream rather than one safe: no session (refused credentials, a 401 after the
 * one re-log-on), a cancelled run, an unreachable or throttling PVWA (the retries are spent), and
 * anything that is not an upstream answer (a bug).
 */
function isFatal(err: unknown): boolean {
  if (err instanceof CyberArkLogonError) return true;
  if (err instanceof MalformedPageError) return false;
  if (!isUpstreamError(err)) return true;
  return ['unauthorized', 'aborted', 'network', 'timeout', 'rate_limited'].includes(err.code);
}

function isMalformed(err: unknown): boolean {
  return isUpstreamError(err) && err.code === 'malformed' && !(err instanceof CyberArkLogonError);
}

function problemOf(err: unknown, where: string): StreamProblem {
  if (err instanceof MalformedPageError) return { where: err.where, error: err.reason };
  return { where, error: messageOf(err) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Maps items with up to `depth` reads in flight, yielding results in the items' order. A read that
 * fails while an earlier one is awaited is not an unhandled rejection: its error surfaces when its
 * turn comes (and ends the iteration there).
 */
async function* readAhead<T, R>(
  items: readonly T[],
  depth: number,
  read: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < depth && next < items.length) {
      const promise = read(items[next++]);
      promise.catch(() => undefined);
      pending.push(promise);
    }
  };
  fill();
  while (pending.length > 0) {
    const result = await (pending.shift() as Promise<R>);
    fill();
    yield result;
  }
}
