import { HubError } from '../../../hub/src/common/errors';
import { controlIdOption, oneOf, wholeNumber } from './option-values';

/** The usage error a check throws (fails when it does not throw one), as exit code and message. */
function refusal(check: () => unknown): [number, string] {
  try {
    check();
  } catch (err) {
    if (err instanceof HubError) return [err.exitCode, err.message];
    throw err;
  }
  throw new Error('expected a usage error');
}

describe('option values', () => {
  it('takes whole numbers in range, and the fallback when the option is absent', () => {
    expect(wholeNumber('--scale', '3', 1, 1)).toBe(3);
    expect(wholeNumber('--scale', undefined, 1, 1)).toBe(1);
    expect(wholeNumber('--port', '0', 4010, 0, 65535)).toBe(0);
  });

  it.each([
    ['0', 1, undefined, '--scale: must be a whole number of at least 1, not "0"'],
    ['1.5', 1, undefined, '--scale: must be a whole number of at least 1, not "1.5"'],
    ['-2', 1, undefined, '--scale: must be a whole number of at least 1, not "-2"'],
    ['', 1, undefined, '--scale: must be a whole number of at least 1, not ""'],
    ['70000', 0, 65535, '--scale: must be a whole number from 0 to 65535, not "70000"'],
  ])('refuses %j as exit 2 naming the option', (value, min, max, message) => {
    expect(refusal(() => wholeNumber('--scale', value, 1, min, max))).toEqual([2, message]);
  });

  it('takes one of the choices, suggesting the nearest when it is not', () => {
    expect(oneOf('--format', 'csv', ['table', 'json', 'csv'], 'table')).toBe('csv');
    expect(oneOf('--format', undefined, ['table', 'json'], 'table')).toBe('table');
    expect(refusal(() => oneOf('--format', 'jsno', ['table', 'json', 'csv'], 'table'))).toEqual([
      2,
      '--format: must be table, json or csv, not "jsno"; did you mean "json"?',
    ]);
  });

  it('takes a control id of the catalog only', () => {
    expect(controlIdOption('--control', 'RM-CHG-001')).toBe('RM-CHG-001');
    expect(controlIdOption('--control', undefined)).toBeUndefined();
    expect(refusal(() => controlIdOption('--control', 'RM-XXX-999'))).toEqual([
      2,
      '--control: unknown control "RM-XXX-999" (`audit-hub controls` lists the catalog)',
    ]);
    expect(refusal(() => controlIdOption('--control', 'rm-chg-001'))[1]).toBe(
      '--control: unknown control "rm-chg-001"; did you mean "RM-CHG-001"? (`audit-hub controls` lists the catalog)',
    );
  });
});
