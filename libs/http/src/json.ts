import { parse } from 'lossless-json';

/**
 * Parses JSON without losing integers: `JSON.parse` silently rounds an integer beyond
 * `Number.MAX_SAFE_INTEGER`, and GitLab sends X.509 certificate `serial_number`s as 39-digit JSON
 * numbers. Such integers are returned as their exact decimal string; every other number is a plain
 * `number`, as with `JSON.parse`. A duplicate key keeps its last value, as `JSON.parse` does.
 * Throws a `SyntaxError` (with the position) on invalid JSON, including an empty text.
 */
export function parseJsonLossless(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Only a run of 16 or more digits can be an integer past MAX_SAFE_INTEGER (16 digits): without
  // one, the engine's own parser gives exactly the same value, several times faster and with far
  // less garbage (most pages: a collection parses every one of them).
  if (!LONG_DIGIT_RUN.test(body)) return JSON.parse(body);
  return parse(body, null, {
    parseNumber: parseNumberExactly,
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

const LONG_DIGIT_RUN = /\d{16}/;

function parseNumberExactly(digits: string): number | string {
  const value = Number(digits);
  return /^-?\d+$/.test(digits) && !Number.isSafeInteger(value) ? digits : value;
}
