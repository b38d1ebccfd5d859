/** Value checks for query strings and bodies, each with a message saying what is expected. */
import { ValidateBy, ValidationOptions } from 'class-validator';
import { CONTROL_CATALOG } from '@audit-hub/domain';
import { isCalendarDate } from '../../config/config.schema';
import { normalizeInstant } from '../../store/instant';

export const CONTROL_IDS = CONTROL_CATALOG.map((c) => c.id);

function check(
  name: string,
  message: string,
  validate: (value: unknown) => boolean,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy({ name, validator: { validate, defaultMessage: () => message } }, options);
}

/** A comma-separated list whose items are all among `allowed`. */
export function IsCommaListOf(allowed: readonly string[]): PropertyDecorator {
  return check(
    'isCommaListOf',
    `must be one of ${allowed.join(', ')} (several: comma-separated)`,
    (v) =>
      typeof v === 'string' &&
      v.split(',').every((item) => (allowed as readonly string[]).includes(item.trim())),
  );
}

export function splitList(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function IsControlId(): PropertyDecorator {
  return check(
    'isControlId',
    'must be a control id of the catalog, such as RM-CHG-001',
    (v) => typeof v === 'string' && CONTROL_IDS.includes(v),
  );
}

export function IsCalendarDate(): PropertyDecorator {
  return check('isCalendarDate', 'must be a date written YYYY-MM-DD', isCalendarDate);
}

/** A date (meaning the end of that day, UTC) or an ISO-8601 instant. */
export function IsDateOrInstant(): PropertyDecorator {
  return check(
    'isDateOrInstant',
    'must be a date YYYY-MM-DD or an ISO-8601 instant such as 2026-03-31T12:00:00Z',
    (v) => typeof v === 'string' && (isCalendarDate(v) || (v.includes('T') && !!normalizeInstant(v))),
  );
}

/** The instant a date-or-instant parameter stands for: a date is the end of that day, UTC. */
export function instantOf(value: string): string {
  return isCalendarDate(value) ? `${value}T23:59:59.999Z` : normalizeInstant(value)!;
}

export function IsNonEmptyText(max: number): PropertyDecorator {
  return check(
    'isNonEmptyText',
    `must be a non-empty string of at most ${max} characters`,
    (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= max,
  );
}

export function IsLimit(max: number): PropertyDecorator {
  return check(
    'isLimit',
    `must be a whole number from 1 to ${max}`,
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max,
  );
}

export function IsCursor(): PropertyDecorator {
  return check(
    'isCursor',
    'must be the nextCursor of a previous page, unchanged',
    (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,2000}$/.test(v),
  );
}
