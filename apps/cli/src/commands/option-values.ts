/**
 * Checks of option values, before anything connects: a value that is not one the option takes is a
 * usage error (exit 2) naming the option, the value and what it takes — never a silent default.
 */
import { CONTROL_CATALOG } from '@audit-hub/domain';
import { didYouMean, orList } from '../../../hub/src/config/suggest';
import { usage } from './command-errors';

/** A whole number from `min` to `max`, or `fallback` when the option is not given. */
export function wholeNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw usage(`${name}: must be a whole number ${range}, not "${value}"`);
  }
  return n;
}

/** One of `choices`, or `fallback` when the option is not given. */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const near = didYouMean(value, choices);
  throw usage(`${name}: must be ${orList(choices)}, not "${value}"${near ? `; ${near}` : ''}`);
}

/** A control id of the catalog (`audit-hub controls` lists them), or undefined when not given. */
export function controlIdOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (CONTROL_CATALOG.some((c) => c.id === value)) return value;
  const near = didYouMean(
    value,
    CONTROL_CATALOG.map((c) => c.id),
  );
  throw usage(
    `${name}: unknown control "${value}"${near ? `; ${near}` : ''} (\`audit-hub controls\` lists the catalog)`,
  );
}
