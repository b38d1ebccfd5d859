import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Estate, Safe, SafeMember, SafePermissionSet } from '../estate/estate.model';
import { header, json, type FakeHandler, type FakeRequest, type FakeResponse } from './fake-http.util';

/**
 * A CyberArk PVWA (PAM Self-Hosted 12.2+, Gen2 REST API under `/PasswordVault/API`) over the
 * estate's safes and members. Where connectors trip, it does what PVWA does: the log-on answers
 * the session token as a bare JSON string; later requests carry it as `Authorization: <token>`,
 * without `Bearer`; lists page with `offset`/`limit`, a `count` and a `nextLink` relative to
 * `/PasswordVault/` (the members' link drops the `filter`); predefined members (Master, Batch,
 * Auditors…) only with `filter=includePredefinedUsers eq true`; `membershipExpirationDate` in epoch
 * seconds or null; users as `{Users, Total}`; paths case-insensitive (IIS); errors as
 * `{"ErrorCode", "ErrorMessage"}`. It needs the request body (the log-on): `request.body`.
 */

/** Real-instance behaviours, each off by default (docs/connectors/cyberark.md "On real instances"). */
export interface CyberarkBehaviours {
  /**
   * The PVWA answers at most `CYBERARK_SERVER_PAGE` items a page whatever `limit` asks ("limit: the
   * maximum number of … returned", Safes and Safe Members web services), with a `nextLink` that
   * carries its own `offset` and `limit` (relative to `/PasswordVault/`, as psPAS `Get-NextLink`
   * joins it): a client must follow the link, not compute offsets from its own `limit`.
   */
  cyberarkNextLinkPaging?: boolean;
  /**
   * The audit user is not in the Auditors group and not a member of one production safe (the first
   * `PROD-` safe by name): PVWA leaves that safe out of `GET API/Safes` (a user lists only the safes
   * it is a member of) and answers its members with 404 `SFWS0002E`, exactly as for a safe that
   * does not exist. Its entitlements cannot be read.
   */
  cyberarkHiddenSafes?: boolean;
  /**
   * Sessions time out after `CYBERARK_SESSION_REQUESTS` requests (PVWA's idle/session timeout, met
   * mid-run): the next request answers 401 `PASWS006E` "Your session has expired. Please log on
   * again." and the client must log on again.
   */
  cyberarkSessionExpires?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const CYBERARK_TRANSPARENT_BEHAVIOURS: readonly (keyof CyberarkBehaviours)[] = [
  'cyberarkNextLinkPaging',
  'cyberarkSessionExpires',
];
/** Switches where data truly cannot be read: the connector must say so, never read "no members". */
export const CYBERARK_LOSSY_BEHAVIOURS: readonly (keyof CyberarkBehaviours)[] = ['cyberarkHiddenSafes'];

/** The most items a page holds with `cyberarkNextLinkPaging`. */
export const CYBERARK_SERVER_PAGE = 3;
/** The requests a session answers with `cyberarkSessionExpires`, its log-on not counted. */
export const CYBERARK_SESSION_REQUESTS = 7;
/** The version the Server web service answers. */
export const PVWA_VERSION = '14.0.0';

export interface CyberarkFakeOptions {
  estate: () => Estate;
  user: string;
  password: string;
  now: () => Date;
  behaviours?: CyberarkBehaviours;
}

const API = '/passwordvault/api';
/** .NET `DateTime.MinValue` in epoch seconds: what CyberArk writes for "no expiry" on users. */
const NO_EXPIRY = -62135578800;

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function pvwaError(status: number, code: string, message: string): FakeResponse {
  return json(status, { ErrorCode: code, ErrorMessage: message });
}

const PERMISSIONS = [
  'useAccounts',
  'retrieveAccounts',
  'listAccounts',
  'addAccounts',
  'updateAccountContent',
  'updateAccountProperties',
  'initiateCPMAccountManagementOperations',
  'specifyNextAccountContent',
  'renameAccounts',
  'deleteAccounts',
  'unlockAccounts',
  'manageSafe',
  'manageSafeMembers',
  'backupSafe',
  'viewAuditLog',
  'viewSafeMembers',
  'accessWithoutConfirmation',
  'createFolders',
  'deleteFolders',
  'moveAccountsAndFolders',
  'requestsAuthorizationLevel1',
  'requestsAuthorizationLevel2',
] as const;

const GRANTED: Record<SafePermissionSet, ReadonlySet<string>> = {
  full: new Set(PERMISSIONS.filter((p) => !p.startsWith('requestsAuthorization'))),
  use: new Set(['useAccounts', 'retrieveAccounts', 'listAccounts', 'viewSafeMembers']),
  audit: new Set(['listAccounts', 'viewAuditLog', 'viewSafeMembers']),
};

function permissionsOf(set: SafePermissionSet): Record<string, boolean> {
  return Object.fromEntries(PERMISSIONS.map((p) => [p, GRANTED[set].has(p)]));
}

function epochSeconds(instant: string): number {
  return Math.floor(Date.parse(instant) / 1000);
}

function safeUrlId(safe: Safe): string {
  return encodeURIComponent(safe.name);
}

function safeView(safe: Safe) {
  return {
    safeUrlId: safeUrlId(safe),
    safeName: safe.name,
    safeNumber: safe.number,
    description: safe.description,
    location: '\\',
    creator: { id: '2', name: 'Administrator' },
    olacEnabled: false,
    managingCPM: 'PasswordManager',
    numberOfVersionsRetention: null,
    numberOfDaysRetention: safe.name.startsWith('PROD-') ? 30 : 7,
    autoPurgeEnabled: false,
    creationTime: epochSeconds(safe.createdAt),
    // PVWA writes this one in microseconds.
    lastModificationTime: Date.parse(safe.createdAt) * 1000 + 123,
    isExpiredMember: false,
  };
}

function memberId(member: SafeMember): string | number {
  const n = parseInt(createHash('md5').update(member.memberName).digest('hex').slice(0, 6), 16) % 900;
  // PVWA answers user ids as numbers and group ids as strings.
  return member.memberType === 'Group' ? String(n + 10) : n + 10;
}

function memberView(safe: Safe, member: SafeMember) {
  return {
    safeUrlId: safeUrlId(safe),
    safeName: safe.name,
    safeNumber: safe.number,
    memberId: memberId(member),
    memberName: member.memberName,
    memberType: member.memberType,
    membershipExpirationDate: member.expiresAt === null ? null : epochSeconds(member.expiresAt),
    isExpiredMembershipEnable: false,
    isPredefinedUser: member.predefined,
    isReadOnly: member.predefined,
    permissions: permissionsOf(member.permissions),
  };
}

function numberParam(request: FakeRequest, name: string, fallback: number): number {
  const value = Number(request.query.get(name) ?? '');
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The safe the audit user is not a member of with `cyberarkHiddenSafes`. */
export function hiddenSafe(estate: Estate): string | undefined {
  return estate.access.safes
    .map((safe) => safe.name)
    .filter((name) => name.startsWith('PROD-'))
    .sort()[0];
}

export function createCyberarkFake(options: CyberarkFakeOptions): FakeHandler {
  const behaviours = options.behaviours ?? {};
  /** Live session tokens → requests answered with each. */
  const sessions = new Map<string, number>();

  const logon = (request: FakeRequest, method: string): FakeResponse => {
    if (!['cyberark', 'ldap', 'radius'].includes(method.toLowerCase()))
      return pvwaError(404, 'CAWS00001E', `Authentication method ${method} is not supported.`);
    let body: { username?: unknown; password?: unknown } = {};
    try {
      body = JSON.parse(request.body ?? '{}');
    } catch {
      return pvwaError(400, 'PASWS167E', 'There are some invalid parameters');
    }
    const user = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!user || !same(user.toLowerCase(), options.user.toLowerCase()) || !same(password, options.password))
      return pvwaError(401, 'ITATS004E', `Authentication failure for User [${user}].`);
    const token = randomBytes(96).toString('base64');
    sessions.set(token, 0);
    return json(200, token);
  };

  return (request) => {
    const path = request.path.toLowerCase().replace(/\/+$/, '');
    const server = path === '/passwordvault/webservices/pimservices.svc/server';
    if (!path.startsWith(`${API}/`) && !server)
      return pvwaError(404, 'CAWS00001E', 'The requested resource was not found.');
    const rest = request.path.replace(/\/+$/, '').split('/').slice(3);
    const lower = rest.map((s) => s.toLowerCase());
    if (request.method === 'POST' && lower.length === 3 && lower[0] === 'auth' && lower[2] === 'logon')
      return logon(request, rest[1]);
    const token = header(request, 'authorization');
    const used = token === undefined ? undefined : sessions.get(token);
    if (!token || used === undefined)
      return pvwaError(401, 'PASWS006E', 'Your session has expired. Please log on again.');
    if (behaviours.cyberarkSessionExpires && used >= CYBERARK_SESSION_REQUESTS) {
      sessions.delete(token);
      return pvwaError(401, 'PASWS006E', 'Your session has expired. Please log on again.');
    }
    sessions.set(token, used + 1);
    if (server && request.method === 'GET')
      return json(200, {
        ExternalVersion: PVWA_VERSION,
        InternalVersion: `${PVWA_VERSION}.23`,
        ServerName: 'Vault',
        ServerId: '7d2f0a8e-4b1c-4e5a-9c3d-6f8e1a2b3c4d',
      });
    if (request.method === 'POST' && lower.length === 2 && lower[0] === 'auth' && lower[1] === 'logoff') {
      sessions.delete(token);
      return json(200, {});
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return pvwaError(405, 'CAWS00001E', 'The requested method is not allowed.');

    const estate = options.estate();
    const now = options.now().toISOString();
    const hidden = behaviours.cyberarkHiddenSafes ? hiddenSafe(estate) : undefined;
    const safes = estate.access.safes.filter((s) => s.createdAt <= now && s.name !== hidden);
    const asked = Math.min(numberParam(request, 'limit', 25), 1000) || 25;
    const limit = behaviours.cyberarkNextLinkPaging ? Math.min(asked, CYBERARK_SERVER_PAGE) : asked;
    const offset = numberParam(request, 'offset', 0);

    if (lower.length === 1 && lower[0] === 'safes') {
      const search = request.query.get('search')?.toLowerCase();
      const rows = safes.filter((s) => !search || s.name.toLowerCase().includes(search));
      const page = rows.slice(offset, offset + limit);
      return json(200, {
        value: page.map(safeView),
        count: rows.length,
        ...(offset + limit < rows.length
          ? { nextLink: `api/Safes?offset=${offset + limit}&limit=${limit}&useCache=False` }
          : {}),
      });
    }
    if (lower.length === 3 && lower[0] === 'safes' && lower[2] === 'members') {
      let name: string;
      try {
        name = decodeURIComponent(rest[1]);
      } catch {
        name = rest[1];
      }
      const safe = safes.find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (!safe) return pvwaError(404, 'SFWS0002E', `Safe ${name} was not found.`);
      const filter = (request.query.get('filter') ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
      const predefined = /includepredefinedusers eq true/.test(filter);
      const rows = estate.access.safeMembers
        .filter((m) => m.safe === safe.name && m.addedAt <= now && (predefined || !m.predefined))
        .sort((a, b) => Number(b.predefined) - Number(a.predefined));
      const page = rows.slice(offset, offset + limit);
      return json(200, {
        value: page.map((m) => memberView(safe, m)),
        count: rows.length,
        ...(offset + limit < rows.length
          ? {
              nextLink: `api/Safes/${safeUrlId(safe)}/Members?offset=${offset + limit}&limit=${limit}&useCache=False`,
            }
          : {}),
      });
    }
    if (lower.length === 1 && lower[0] === 'users') {
      const search = request.query.get('search')?.toLowerCase();
      const users = estate.access.pamUsers.filter(
        (u) => u.createdAt <= now && (!search || u.userName.toLowerCase().includes(search)),
      );
      const paged = request.query.has('offset') || request.query.has('limit');
      const rows = paged ? users.slice(offset, offset + limit) : users;
      return json(200, {
        Users: rows.map((u) => ({
          id: u.id,
          username: u.userName,
          source: u.source,
          userType: 'EPVUser',
          componentUser: false,
          enableUser: true,
          suspended: u.suspended,
          expiryDate: NO_EXPIRY,
          lastSuccessfulLoginDate: epochSeconds(now) - 3600 * (1 + (u.id % 48)),
          groupsMembership: [],
          vaultAuthorization: [],
          // The audit user is in Auditors (a member of every safe), except when safes are hidden from it.
          ...(u.userName.toLowerCase() === options.user.toLowerCase() && !hidden
            ? { groupsMembership: [{ groupID: 5, groupName: 'Auditors', groupType: 'Vault' }] }
            : {}),
          location: '\\',
          personalDetails: { firstName: u.firstName, middleName: '', lastName: u.lastName },
        })),
        Total: users.length,
      });
    }
    return pvwaError(404, 'CAWS00001E', 'The requested resource was not found.');
  };
}
