/**
 * Reading PVWA JSON whatever the API generation: Gen2 (`/API/…`, 12.2+) writes camelCase
 * (`memberName`, `safeUrlId`), Gen1 and the 11.x `/API/Safes` write PascalCase (`MemberName`,
 * `SafeUrlId`, `GetSafesResult`) — shared/upstream-samples README, "CyberArk: Versions". Field names
 * are therefore matched case-insensitively, the exact spelling first.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `obj`, matching the key exactly first, then ignoring case. */
export function field(obj: JsonObject, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/** A non-empty string field (trimmed), else undefined. */
export function text(obj: JsonObject, name: string): string | undefined {
  const value = field(obj, name);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** A boolean field; PVWA writes booleans, but a `"true"`/`"false"` string is read too. */
export function flag(obj: JsonObject, name: string): boolean | undefined {
  const value = field(obj, name);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  return undefined;
}

/** The first of several envelope keys that holds an array (`value`, `Users`, `SafeMembers`…). */
export function arrayField(obj: JsonObject, names: readonly string[]): unknown[] | undefined {
  for (const name of names) {
    const value = field(obj, name);
    if (Array.isArray(value)) return value;
  }
  return undefined;
}
