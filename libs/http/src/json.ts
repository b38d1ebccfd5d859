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
  return parse(body, null, {
    parseNumber: parseNumberExactly,
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

function parseNumberExactly(digits: string): number | string {
  const value = Number(digits);
  return /^-?\d+$/.test(digits) && !Number.isSafeInteger(value) ? digits : value;
}
