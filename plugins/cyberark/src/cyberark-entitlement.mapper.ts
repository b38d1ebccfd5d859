/**
 * A safe member → one `entitlement` (controls.md "entitlement": CyberArk — each (safe member, safe)
 * pair). External id `<memberName>:<safeName>`, as the subject ref `<connector>:<holder>:<resource>`
 * wants it (interfaces.md "Subject refs").
 */
import type { EntitlementRecord, NormalizedRecord } from '@audit-hub/domain';
import { field, flag, isObject, text, type JsonObject } from './cyberark-field.reader';
import type { SafeRef, VaultUserStatus } from './cyberark.types';

export interface MappedMember {
  record?: NormalizedRecord<'entitlement'>;
  /** What could not be read (the member is left out, or its expiry is). */
  problem?: string;
}

/**
 * `users` maps lower-cased vault user names to their status (null: not read). The record keeps the
 * member as PVWA sent it, the safe it belongs to, and the user's status when known.
 */
export function mapMember(
  item: unknown,
  safe: SafeRef,
  users: ReadonlyMap<string, VaultUserStatus> | null,
): MappedMember {
  if (!isObject(item)) return { problem: 'a member is not a JSON object' };
  const memberName = text(item, 'memberName');
  if (!memberName) return { problem: 'a member has no memberName' };

  const expiry = expiryInstant(field(item, 'membershipExpirationDate'));
  const holderType = holderTypeOf(item);
  const data: EntitlementRecord = {
    holder: memberName,
    holderAliases: [],
    resource: safe.safeName,
    permissions: permissionNames(field(item, 'permissions')),
    ...('at' in expiry && expiry.at ? { expiresAt: expiry.at } : {}),
    holderType,
  };
  const vaultUser = holderType === 'group' ? undefined : users?.get(memberName.toLowerCase());
  const record: NormalizedRecord<'entitlement'> = {
    kind: 'entitlement',
    externalId: `${memberName}:${safe.safeName}`,
    data,
    raw: {
      safe: { safeName: safe.safeName, safeUrlId: safe.safeUrlId, safeNumber: safe.safeNumber },
      member: item,
      ...(vaultUser ? { vaultUser } : {}),
    },
  };
  if ('invalid' in expiry) {
    return {
      record,
      problem: `member "${memberName}": membershipExpirationDate ${expiry.invalid} is not epoch seconds; the expiry is left out`,
    };
  }
  return { record };
}

/** `predefined` for the built-in members (`isPredefinedUser`), `group` for groups, else `user`. */
export function holderTypeOf(member: JsonObject): EntitlementRecord['holderType'] {
  if (flag(member, 'isPredefinedUser') === true) return 'predefined';
  return text(member, 'memberType')?.toLowerCase() === 'group' ? 'group' : 'user';
}

/**
 * The permissions that are granted: the `true` entries of the Gen2 `permissions` object
 * (`listAccounts`, `useAccounts`…), in PVWA's order. Gen1 PascalCase names (`ListAccounts`) and
 * `[{Key, Value}]` lists are read too, and named the Gen2 way.
 */
export function permissionNames(permissions: unknown): string[] {
  const entries: [string, unknown][] = [];
  if (isObject(permissions)) entries.push(...Object.entries(permissions));
  else if (Array.isArray(permissions)) {
    for (const entry of permissions) {
      if (!isObject(entry)) continue;
      const key = text(entry, 'key');
      if (key) entries.push([key, field(entry, 'value')]);
    }
  }
  const names: string[] = [];
  for (const [name, value] of entries) {
    const granted = value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
    const normalized = name.charAt(0).toLowerCase() + name.slice(1);
    if (granted && !names.includes(normalized)) names.push(normalized);
  }
  return names;
}

/**
 * `membershipExpirationDate` → an ISO instant. PVWA sends epoch SECONDS, or null for a membership
 * that never expires. Zero and negative values (.NET `DateTime.MinValue` is `-62135578800`) mean no
 * expiry too: reading them as 1970 would make a standing grant look expired. A 13-digit value is
 * taken as milliseconds (PVWA mixes units: safes' `lastModificationTime` is in microseconds).
 */
export function expiryInstant(value: unknown): { at?: string } | { invalid: string } {
  if (value === null || value === undefined || value === '') return {};
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) seconds = Number(value.trim());
  else return { invalid: JSON.stringify(value) };
  if (!Number.isFinite(seconds)) return { invalid: JSON.stringify(value) };
  if (seconds <= 0) return {};
  const date = new Date(seconds >= 1e11 ? seconds : seconds * 1000);
  return Number.isNaN(date.getTime()) ? { invalid: JSON.stringify(value) } : { at: date.toISOString() };
}
