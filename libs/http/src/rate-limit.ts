/**
 * How long an upstream asks us to wait, from the headers the vendors send
 * (shared/upstream-samples README, "Rate limits").
 */

/** Values of `*-Reset` headers below this are delta-seconds (IETF RateLimit drafts), above it epoch seconds. */
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

/**
 * A rate-limit refusal: 429, or GitHub's 403 with `X-RateLimit-Remaining: 0` (its primary limit
 * answers 403, not 429, when exhausted).
 */
export function isRateLimited(status: number, headers: Record<string, string>): boolean {
  return status === 429 || (status === 403 && remaining(headers) === 0);
}

/**
 * The server-given wait in ms, or undefined when the response names none (then the client backs off
 * on its own). `Retry-After` (delta-seconds or HTTP-date) wins; otherwise a reset header
 * (`RateLimit-Reset` GitLab, `X-RateLimit-Reset` ServiceNow and GitHub, epoch seconds) counts when
 * the quota is known to be spent: `…-Remaining: 0`, or a 429 that does not say what remains.
 * GitHub sends `X-RateLimit-Reset` on every response, so a 503 with quota left must not wait for it.
 */
export function serverWaitMs(
  status: number,
  headers: Record<string, string>,
  now = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  const left = remaining(headers);
  if (left !== 0 && !(status === 429 && left === undefined)) return undefined;
  return parseReset(headers['ratelimit-reset'] ?? headers['x-ratelimit-reset'], now);
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, as ms from now (never negative). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const seconds = Number(value.trim());
  return seconds >= EPOCH_SECONDS_THRESHOLD ? Math.max(0, Math.ceil(seconds * 1000 - now)) : seconds * 1000;
}

function remaining(headers: Record<string, string>): number | undefined {
  const value = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'];
  return value === undefined || value.trim() === '' ? undefined : Number(value.trim());
}
