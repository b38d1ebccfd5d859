import { HubError } from '../common/errors';
import { parseAsOf, parseFormat, parsePeriod } from './report-period';

function usageError(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).exitCode).toBe(2);
    return err as HubError;
  }
  throw new Error('expected a usage error');
}

describe('report period', () => {
  it('covers from 00:00 UTC of the first day through the end of the last', () => {
    expect(parsePeriod('2026-10-01', '2026-10-31')).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-10-31T23:59:59.999Z',
    });
  });

  it.each([
    [undefined, '2026-10-31', '--from: required'],
    ['2026-10-01', undefined, '--to: required'],
    ['2026-13-01', '2026-10-31', '--from: "2026-13-01" is not a date written YYYY-MM-DD'],
    ['2026-10-01', '2026-02-30', '--to: "2026-02-30" is not a date written YYYY-MM-DD'],
    ['yesterday', '2026-10-31', '--from: "yesterday" is not a date'],
    ['2026-11-01', '2026-10-31', '--from 2026-11-01 is after --to 2026-10-31'],
  ])('refuses --from %s --to %s (exit 2)', (from, to, message) => {
    expect(usageError(() => parsePeriod(from, to)).message).toContain(message);
  });

  it('reads --as-of as the end of a day or an instant', () => {
    expect(parseAsOf('2026-10-31').toISOString()).toBe('2026-10-31T23:59:59.999Z');
    expect(parseAsOf('2026-10-31T12:00:00+02:00').toISOString()).toBe('2026-10-31T10:00:00.000Z');
    expect(usageError(() => parseAsOf('soon')).message).toContain('--as-of: "soon"');
  });

  it('takes the formats of interfaces.md, html by default', () => {
    expect(parseFormat(undefined)).toBe('html');
    expect(parseFormat('oscal')).toBe('oscal');
    expect(usageError(() => parseFormat('docx')).message).toBe(
      '--format: must be one of html, pdf, json, csv, oscal, not "docx"',
    );
  });
});
