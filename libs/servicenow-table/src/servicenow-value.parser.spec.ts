import {
  FieldValueError,
  bool,
  formatSnTime,
  instant,
  optional,
  reference,
  snTimeToIso,
  text,
  withoutUndefined,
} from './servicenow-value.parser';

describe('ServiceNow value parsing', () => {
  it('reads times as UTC and writes them back in the encoded-query form', () => {
    expect(snTimeToIso('2024-05-01 10:00:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(formatSnTime(new Date('2024-05-01T10:00:00.987Z'))).toBe('2024-05-01 10:00:00');
    expect(snTimeToIso('2024-02-30 10:00:00')).toBeUndefined();
    expect(snTimeToIso('2024-05-01T10:00:00Z')).toBeUndefined();
  });

  it('names the field of a value that is not a time', () => {
    expect(instant({ start_date: '' }, 'start_date')).toBeUndefined();
    expect(() => instant({ start_date: 'next Tuesday' }, 'start_date')).toThrow(
      new FieldValueError('start_date', '"next Tuesday" is not a YYYY-MM-DD HH:MM:SS time'),
    );
  });

  it('reads references given as sys_ids, {link, value} objects or empty strings', () => {
    const row = {
      a: '62826bf03710200044e0bfc8bcbe5df1',
      b: { link: 'https://x.service-now.com/api/now/table/sys_user/abc', value: 'abc' },
      c: '',
      d: { link: '', value: '' },
    };
    expect(reference(row, 'a')).toBe('62826bf03710200044e0bfc8bcbe5df1');
    expect(reference(row, 'b')).toBe('abc');
    expect(reference(row, 'c')).toBeUndefined();
    expect(reference(row, 'd')).toBeUndefined();
    expect(reference(row, 'missing')).toBeUndefined();
  });

  it('reads "true"/"false" as booleans and numbers as text', () => {
    expect(bool({ active: 'true' }, 'active')).toBe(true);
    expect(bool({ active: 'false' }, 'active')).toBe(false);
    expect(() => bool({ active: '' }, 'active')).toThrow('active: "" is not "true" or "false"');
    expect(text({ state: 3 }, 'state')).toBe('3');
  });

  it('reads dot-walked fields by their dotted name, and blank values as absent', () => {
    const row = { 'support_group.name': ' CAB ', version: '  ', install_status: 1 };
    expect(optional(text(row, 'support_group.name'))).toBe('CAB');
    expect(optional(text(row, 'version'))).toBeUndefined();
    expect(optional(text(row, 'install_status'))).toBe('1');
    expect(withoutUndefined({ name: 'CAB', version: undefined })).toEqual({ name: 'CAB' });
    expect(Object.keys(withoutUndefined({ name: 'CAB', version: undefined }))).toEqual(['name']);
  });
});
