/**
 * `connectors check` for CyberArk, in a session of its own (so it never logs off the streams'):
 * log on (credentials), the PVWA version (the Server web service: 12.1 or later is read), `GET
 * /PasswordVault/API/Safes?limit=1` (the safes the user is a member of), each safe `options.safes`
 * names that is not visible, one member of one selected safe (View Safe Members), the vault users
 * when `userStatus` is on (Audit users) and whether the audit user is in Auditors (without it, only
 * the safes it is a member of are visible), then log off. Each failure says what it costs.
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { logoff, logon } from './cyberark.auth';
import { API, type CyberArkClient } from './cyberark.client';
import type { CyberArkAuth, ResolvedCyberArkOptions } from './cyberark.config';
import { MEMBER_FIX } from './cyberark-entitlements.stream';
import { arrayField, field, isObject, text } from './cyberark-field.reader';
import { MalformedPageError } from './cyberark-page.error';
import { isSupported, MIN_SUPPORTED_TEXT } from './cyberark-version';
import { SafeFilter } from './cyberark-safe.filter';
import { toSafeRef } from './cyberark-safe.mapper';
import type { ListPage, SafeRef } from './cyberark.types';

const ENTITLEMENTS: { kinds: RecordKind[] } = { kinds: ['entitlement'] };
/** The predefined group every new safe has as a member (listAccounts, viewSafeMembers, viewAuditLog). */
export const AUDITORS_GROUP = 'Auditors';

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
        { name: 'reachable', ok: false, detail: describe(err), affects: ENTITLEMENTS },
        { name: 'credentials', ok: false, detail: 'not checked: the PVWA did not answer' },
      ];
    }
    return [
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: describe(err), affects: ENTITLEMENTS },
    ];
  }
  client.http.addSecret(token);
  const session = client.withSession(token);
  const results: CheckResult[] = [
    { name: 'reachable', ok: true },
    { name: 'credentials', ok: true, detail: `logged on as ${auth.username} (${options.authMethod})` },
  ];
  try {
    const supported = await checkVersion(session, describe, results);
    if (supported) {
      const safe = await checkSafes(session, options, describe, results);
      await checkMembers(session, safe, options, describe, results);
      if (options.userStatus) await checkUsers(session, auth.username, describe, results);
    }
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

/** `version`: false when the PVWA is older than the connector reads (nothing else is checked then). */
async function checkVersion(
  session: CyberArkClient,
  describe: (err: unknown) => string,
  results: CheckResult[],
): Promise<boolean> {
  const name = 'version';
  try {
    const { text: answered, version } = await session.server();
    if (version && !isSupported(version)) {
      results.push({
        name,
        ok: false,
        detail: `PVWA ${version.text} is not supported: the Gen2 Safes and Safe Members APIs need ${MIN_SUPPORTED_TEXT} or later`,
        affects: ENTITLEMENTS,
        fix: `upgrade the PVWA to ${MIN_SUPPORTED_TEXT} or later`,
      });
      return false;
    }
    results.push(
      version
        ? { name, ok: true, detail: `PVWA ${version.text}` }
        : {
            name,
            ok: false,
            severity: 'warn',
            detail: `the version is not readable (${JSON.stringify(answered ?? null)}): ${MIN_SUPPORTED_TEXT} or later is assumed`,
          },
    );
  } catch (err) {
    results.push({
      name,
      ok: false,
      severity: 'warn',
      detail: `the version was not answered (${describe(err)}): ${MIN_SUPPORTED_TEXT} or later is assumed`,
    });
  }
  return true;
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
    results.push({ name, ok: false, detail: why, affects: ENTITLEMENTS });
    return undefined;
  }
  const first = page.items.map(toSafeRef).find((safe): safe is SafeRef => !('problem' in safe));
  if (!first) {
    results.push({
      name,
      ok: false,
      detail:
        'no safe is visible: make the user a member of the safes to audit (List accounts, View Safe members) or of the Auditors group',
      affects: ENTITLEMENTS,
      fix: MEMBER_FIX,
    });
    return undefined;
  }
  const visible =
    page.count !== undefined ? `${page.count} safe${page.count === 1 ? '' : 's'} visible` : 'safes visible';
  results.push({ name, ok: true, detail: visible });

  const filter = new SafeFilter(options.safes);
  const expected = options.safes.filter((glob) => !/[*?]/.test(glob));
  if (filter.matches(first.safeName) && expected.length === 0) return first;
  let selected: SafeRef | undefined;
  const seen = new Set<string>();
  try {
    for await (const listed of session.safes()) {
      for (const item of listed.items) {
        const safe = toSafeRef(item);
        if ('problem' in safe) continue;
        seen.add(safe.safeName.toLowerCase());
        if (!selected && filter.matches(safe.safeName)) selected = safe;
      }
    }
  } catch (err) {
    return { missing: `not checked: listing the safes failed: ${describe(err)}` };
  }
  for (const safe of expected.filter((name) => !seen.has(name.toLowerCase()))) {
    results.push({
      name: `safe:${safe}`,
      ok: false,
      detail: `safe "${safe}" (options.safes) is not visible to the audit user: PVWA lists only the safes a user is a member of, so it may exist with members that cannot be read`,
      affects: ENTITLEMENTS,
      fix: MEMBER_FIX,
    });
  }
  return selected ?? { missing: `no visible safe matches options.safes (${options.safes.join(', ')})` };
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
    results.push({ name, ok: false, detail: 'not checked: no safe could be listed', affects: ENTITLEMENTS });
    return;
  }
  if ('missing' in safe) {
    results.push({ name, ok: false, detail: safe.missing, affects: ENTITLEMENTS });
    return;
  }
  try {
    await session.firstMembers(safe, options.includePredefinedUsers);
    results.push({ name, ok: true, detail: `View Safe Members on "${safe.safeName}"` });
  } catch (err) {
    let why = describe(err);
    const forbidden = isUpstreamError(err) && err.code === 'forbidden';
    if (forbidden) why = `no View Safe Members permission on safe "${safe.safeName}": ${why}`;
    else if (isUpstreamError(err) && err.code === 'not_found')
      why = `GET ${API}/Safes/{safeUrlId}/Members is missing (PVWA before ${MIN_SUPPORTED_TEXT} has no complete Gen2 Safe Members API): ${why}`;
    results.push({
      name,
      ok: false,
      detail: why,
      affects: ENTITLEMENTS,
      ...(forbidden ? { fix: MEMBER_FIX } : {}),
    });
  }
}

async function checkUsers(
  session: CyberArkClient,
  username: string,
  describe: (err: unknown) => string,
  results: CheckResult[],
): Promise<void> {
  const name = 'read:users';
  let found;
  try {
    found = await session.findUser(username);
    results.push({ name, ok: true, detail: 'Audit users: vault users are readable' });
  } catch (err) {
    const forbidden = isUpstreamError(err) && err.code === 'forbidden';
    const why = forbidden
      ? `the user lacks the Audit users authorization, so entitlements carry no suspended/enableUser (or set options.userStatus: false): ${describe(err)}`
      : describe(err);
    // Optional context: the entitlements are complete without it.
    results.push({
      name,
      ok: false,
      severity: 'warn',
      detail: why,
      ...(forbidden
        ? { fix: 'give the audit user the Audit users authorization, or set options.userStatus: false' }
        : {}),
    });
    return;
  }
  results.push(...auditorsMembership(found, username));
}

/**
 * Whether the audit user is in Auditors, the predefined group every new safe has as a member: one
 * that is not sees only the safes it is a member of itself, and a safe it cannot see is not audited,
 * without a sign. Said only when the user is among the users found.
 */
function auditorsMembership(users: readonly Record<string, unknown>[], username: string): CheckResult[] {
  const self = users.find((user) => text(user, 'username')?.toLowerCase() === username.toLowerCase());
  if (!self || !isObject(self)) return [];
  const groups = arrayField(self, ['groupsMembership']) ?? [];
  const inAuditors = groups.some(
    (group) =>
      isObject(group) &&
      String(field(group, 'groupName') ?? '').toLowerCase() === AUDITORS_GROUP.toLowerCase(),
  );
  return inAuditors
    ? [
        {
          name: 'visibility',
          ok: true,
          detail: `${username} is in ${AUDITORS_GROUP}: every safe that keeps ${AUDITORS_GROUP} as a member is visible`,
        },
      ]
    : [
        {
          name: 'visibility',
          ok: false,
          severity: 'warn',
          detail: `${username} is not in ${AUDITORS_GROUP}: only the safes it is a member of are visible, and a safe it cannot see is not audited (list such safes by name in options.safes to have them reported)`,
          affects: ENTITLEMENTS,
          fix: `add ${username} to the ${AUDITORS_GROUP} group, or make it a member of each safe to audit (List accounts, View Safe Members)`,
        },
      ];
}
