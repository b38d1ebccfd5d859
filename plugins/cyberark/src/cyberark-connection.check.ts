/**
 * `connectors check` for CyberArk, in a session of its own (so it never logs off the streams'):
 * log on (credentials), `GET /PasswordVault/API/Safes?limit=1` (the safes the user is a member of),
 * one member of one selected safe (View Safe Members), the vault users when `userStatus` is on
 * (Audit users), then log off.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { logoff, logon } from './cyberark.auth';
import { API, type CyberArkClient } from './cyberark.client';
import type { CyberArkAuth, ResolvedCyberArkOptions } from './cyberark.config';
import { MalformedPageError } from './cyberark-page.error';
import { SafeFilter } from './cyberark-safe.filter';
import { toSafeRef } from './cyberark-safe.mapper';
import type { ListPage, SafeRef } from './cyberark.types';

export interface CheckDeps {
  client: CyberArkClient;
  auth: Pick<CyberArkAuth, 'username' | 'password'>;
  options: Pick<ResolvedCyberArkOptions, 'authMethod' | 'safes' | 'includePredefinedUsers' | 'userStatus'>;
  redact: (text: string) => string;
}

export async function checkConnection(deps: CheckDeps): Promise<CheckResult[]> {
  const { client, auth, options } = deps;
  const describe = (err: unknown) =>
    deps.redact(
      err instanceof MalformedPageError ? err.message : err instanceof Error ? err.message : String(err),
    );

  let token: string;
  try {
    token = await logon(client.http, auth, options.authMethod);
  } catch (err) {
    if (isUpstreamError(err) && ['network', 'timeout', 'aborted'].includes(err.code)) {
      return [
        { name: 'reachable', ok: false, detail: describe(err) },
        { name: 'credentials', ok: false, detail: 'not checked: the PVWA did not answer' },
      ];
    }
    return [
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: describe(err) },
    ];
  }
  client.http.addSecret(token);
  const session = client.withSession(token);
  const results: CheckResult[] = [
    { name: 'reachable', ok: true },
    { name: 'credentials', ok: true, detail: `logged on as ${auth.username} (${options.authMethod})` },
  ];
  try {
    const safe = await checkSafes(session, options, describe, results);
    await checkMembers(session, safe, options, describe, results);
    if (options.userStatus) await checkUsers(session, auth.username, describe, results);
  } finally {
    try {
      await logoff(client.http, token);
      results.push({ name: 'logoff', ok: true });
    } catch (err) {
      results.push({
        name: 'logoff',
        ok: false,
        detail: `${describe(err)} (PVWA ends the session when it times out)`,
      });
    }
  }
  return results;
}

/** `read:safes`; returns the safe whose members are checked next (the first one `options.safes` selects). */
async function checkSafes(
  session: CyberArkClient,
  options: Pick<ResolvedCyberArkOptions, 'safes'>,
  describe: (err: unknown) => string,
  results: CheckResult[],
): Promise<SafeRef | { missing: string } | undefined> {
  const name = 'read:safes';
  let page: ListPage;
  try {
    page = await session.firstSafes(1);
  } catch (err) {
    const why =
      isUpstreamError(err) && err.code === 'forbidden'
        ? `the user may not list safes: ${describe(err)}`
        : describe(err);
    results.push({ name, ok: false, detail: why });
    return undefined;
  }
  const first = page.items.map(toSafeRef).find((safe): safe is SafeRef => !('problem' in safe));
  if (!first) {
    results.push({
      name,
      ok: false,
      detail:
        'no safe is visible: make the user a member of the safes to audit (List accounts, View Safe members) or of the Auditors group',
    });
    return undefined;
  }
  const visible =
    page.count !== undefined ? `${page.count} safe${page.count === 1 ? '' : 's'} visible` : 'safes visible';
  results.push({ name, ok: true, detail: visible });

  const filter = new SafeFilter(options.safes);
  if (filter.matches(first.safeName)) return first;
  try {
    for await (const listed of session.safes()) {
      for (const item of listed.items) {
        const safe = toSafeRef(item);
        if (!('problem' in safe) && filter.matches(safe.safeName)) return safe;
      }
    }
  } catch (err) {
    return { missing: `not checked: listing the safes failed: ${describe(err)}` };
  }
  return { missing: `no visible safe matches options.safes (${options.safes.join(', ')})` };
}

async function checkMembers(
  session: CyberArkClient,
  safe: SafeRef | { missing: string } | undefined,
  options: Pick<ResolvedCyberArkOptions, 'includePredefinedUsers'>,
  describe: (err: unknown) => string,
  results: CheckResult[],
): Promise<void> {
  const name = 'read:safe-members';
  if (!safe) {
    results.push({ name, ok: false, detail: 'not checked: no safe could be listed' });
    return;
  }
  if ('missing' in safe) {
    results.push({ name, ok: false, detail: safe.missing });
    return;
  }
  try {
    await session.firstMembers(safe, options.includePredefinedUsers);
    results.push({ name, ok: true, detail: `View Safe Members on "${safe.safeName}"` });
  } catch (err) {
    let why = describe(err);
    if (isUpstreamError(err) && err.code === 'forbidden')
      why = `no View Safe Members permission on safe "${safe.safeName}": ${why}`;
    else if (isUpstreamError(err) && err.code === 'not_found')
      why = `GET ${API}/Safes/{safeUrlId}/Members is missing (PVWA before 12.2 has no Gen2 Safe Members API): ${why}`;
    results.push({ name, ok: false, detail: why });
  }
}

async function checkUsers(
  session: CyberArkClient,
  username: string,
  describe: (err: unknown) => string,
  results: CheckResult[],
): Promise<void> {
  const name = 'read:users';
  try {
    await session.findUser(username);
    results.push({ name, ok: true, detail: 'Audit users: vault users are readable' });
  } catch (err) {
    const why =
      isUpstreamError(err) && err.code === 'forbidden'
        ? `the user lacks the Audit users authorization, so entitlements carry no suspended/enableUser (or set options.userStatus: false): ${describe(err)}`
        : describe(err);
    results.push({ name, ok: false, detail: why });
  }
}
