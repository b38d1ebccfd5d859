/**
 * A JSON column as read by raw SQL: PostgreSQL's driver and better-sqlite3 both hand text columns
 * back as strings, TypeORM's `simple-json` as parsed values; undefined when absent or not JSON.
 */
export function parseJson<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}
