/**
 * A vault user (`GET /PasswordVault/API/Users`) → the status kept on its entitlements' raw data.
 * It never becomes an `identity` record: controls.md "identity" — other systems' user lists never
 * make a person known or active; the identity sources (ServiceNow) decide that.
 */
import { field, flag, isObject, text } from './cyberark-field.reader';
import type { VaultUserStatus } from './cyberark.types';

export function toUserStatus(item: unknown): VaultUserStatus | undefined {
  if (!isObject(item)) return undefined;
  const username = text(item, 'username') ?? text(item, 'userName');
  if (!username) return undefined;
  const id = field(item, 'id');
  const expiryDate = field(item, 'expiryDate');
  const status: VaultUserStatus = {
    ...(typeof id === 'number' || typeof id === 'string' ? { id } : {}),
    username,
  };
  const source = text(item, 'source');
  const userType = text(item, 'userType');
  if (source) status.source = source;
  if (userType) status.userType = userType;
  for (const name of ['componentUser', 'enableUser', 'suspended'] as const) {
    const value = flag(item, name);
    if (value !== undefined) status[name] = value;
  }
  if (typeof expiryDate === 'number') status.expiryDate = expiryDate;
  return status;
}

/** Lower-cased user name → status; vault user names are case-insensitive. */
export function userStatusIndex(items: readonly unknown[]): Map<string, VaultUserStatus> {
  const index = new Map<string, VaultUserStatus>();
  for (const item of items) {
    const status = toUserStatus(item);
    if (status) index.set(status.username.toLowerCase(), status);
  }
  return index;
}
