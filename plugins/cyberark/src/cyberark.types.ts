/** Shapes this plugin reads from PVWA (Gen2 REST, `/PasswordVault/API/…`), and what it keeps of them. */
import type { JsonObject } from './cyberark-field.reader';

/** A safe from `GET /PasswordVault/API/Safes`: the name entitlements use, the id its URLs use. */
export interface SafeRef {
  safeName: string;
  /**
   * `safeUrlId` as PVWA sends it: already URL-encoded (`Saviynt%20Litmos%20Test`); the safe name when
   * the answer has none (11.x `GetSafesResult`).
   */
  safeUrlId: string;
  safeNumber?: number;
}

/** One page of a PVWA list (`{value, count, nextLink}`), and the request it came from. */
export interface ListPage {
  items: unknown[];
  /** `GET /PasswordVault/API/Safes page 2` */
  where: string;
  /** The total the upstream reports (`count`), when it does. */
  count?: number;
}

/**
 * What the entitlement raw data keeps of a vault user (`GET /PasswordVault/API/Users`): whether the
 * user may log on. Contact details and log-on times are left out (personal, and they change daily).
 */
export interface VaultUserStatus {
  id?: number | string;
  username: string;
  source?: string;
  userType?: string;
  componentUser?: boolean;
  enableUser?: boolean;
  suspended?: boolean;
  /** Epoch seconds as PVWA sends it; `-62135578800` (.NET `DateTime.MinValue`) means none. */
  expiryDate?: number;
}

export type { JsonObject };
