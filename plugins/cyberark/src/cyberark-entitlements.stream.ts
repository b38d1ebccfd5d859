/**
 * `entitlements` (snapshot): every (member, safe) pair of the safes the audit user can see and
 * `options.safes` selects. One batch per safe. A safe whose members cannot be read is a problem
 * naming it (the stream is `partial`, so no entitlement is marked deleted); a failed log-on or an
 * expired session that cannot be renewed fails the stream.
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
import type { SafeRef, VaultUserStatus } from './cyberark.types';
import { userStatusIndex } from './cyberark-user.mapper';

export const ENTITLEMENTS_STREAM = 'entitlements';

/** Safes whose members are read at once (the HTTP client bounds requests in flight anyway). */
export const SAFES_READ_AHEAD = 4;

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
    read: () => readEntitlements(deps),
  };
}

async function* readEntitlements(deps: EntitlementsStreamDeps): AsyncGenerator<Batch> {
  const { safes, problems } = await listSafes(deps);
  const users = deps.options.userStatus && safes.length > 0 ? await readUsers(deps) : null;
  if (problems.length > 0) yield { records: [], problems: clean(problems, deps.redact) };
  const batches = readAhead(safes, SAFES_READ_AHEAD, (safe) => readSafe(deps, safe, users));
  for await (const batch of batches) {
    if (batch.records.length > 0 || batch.problems?.length) yield batch;
  }
}

/**
 * The safes to read. Seeing no safe at all is a problem, not an empty vault: every vault has safes,
 * and an empty snapshot would mark every entitlement deleted (and resolve its findings) when the
 * audit user merely lost its memberships.
 */
async function listSafes(
  deps: EntitlementsStreamDeps,
): Promise<{ safes: SafeRef[]; problems: StreamProblem[] }> {
  const filter = new SafeFilter(deps.options.safes);
  const safes: SafeRef[] = [];
  const problems: StreamProblem[] = [];
  const names = new Set<string>();
  let visible = 0;
  try {
    for await (const page of deps.client.safes()) {
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
        visible++;
        if (filter.matches(safe.safeName)) safes.push(safe);
      }
    }
  } catch (err) {
    if (!(err instanceof MalformedPageError) && !isMalformed(err)) throw err;
    problems.push(problemOf(err, `GET ${API}/Safes`));
  }
  if (visible === 0 && problems.length === 0) {
    problems.push({
      where: `GET ${API}/Safes`,
      error:
        'no safe is visible to the audit user: make it a member of the safes to audit (List accounts, View Safe members) or of the Auditors group',
    });
  } else if (safes.length === 0 && visible > 0) {
    problems.push({
      where: 'options.safes',
      error: `none of the ${visible} visible safes matches ${deps.options.safes.map((g) => JSON.stringify(g)).join(', ')}`,
    });
  }
  return { safes, problems };
}

/**
 * The vault users' status, for the entitlements' raw data. Optional context: without the *Audit
 * users* authorization (403) the entitlements are still complete, so this is a warning, not a problem.
 */
async function readUsers(deps: EntitlementsStreamDeps): Promise<Map<string, VaultUserStatus> | null> {
  try {
    return userStatusIndex(await deps.client.users());
  } catch (err) {
    if (isFatal(err)) throw err;
    deps.logger.warn('cyberark: vault users not read; entitlements carry no suspended/enableUser', {
      error: deps.redact(messageOf(err)),
    });
    return null;
  }
}

async function readSafe(
  deps: EntitlementsStreamDeps,
  safe: SafeRef,
  users: ReadonlyMap<string, VaultUserStatus> | null,
): Promise<Batch> {
  const records: NormalizedRecord[] = [];
  const problems: StreamProblem[] = [];
  const seen = new Set<string>();
  try {
    for await (const page of deps.client.members(safe, deps.options.includePredefinedUsers)) {
      for (const item of page.items) {
        const mapped = mapMember(item, safe, users);
        if (mapped.problem) problems.push({ where: page.where, error: mapped.problem });
        if (mapped.record && !seen.has(mapped.record.externalId)) {
          seen.add(mapped.record.externalId);
          records.push(mapped.record);
        }
      }
    }
  } catch (err) {
    if (isFatal(err)) throw err;
    problems.push(problemOf(err, `safe "${safe.safeName}" members`));
  }
  return problems.length > 0 ? { records, problems: clean(problems, deps.redact) } : { records };
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

function clean(problems: StreamProblem[], redact: (text: string) => string): StreamProblem[] {
  return problems.map((p) => ({ ...p, where: redact(p.where), error: redact(p.error) }));
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
