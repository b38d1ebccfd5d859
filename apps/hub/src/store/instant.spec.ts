import { normalizeInstant, toInstant } from './instant';

describe('instants', () => {
  it('stores a Date as a fixed-width UTC string that sorts like time', () => {
    expect(toInstant(new Date(Date.UTC(2024, 4, 1, 8, 5, 3, 7)))).toBe('2024-05-01T08:05:03.007Z');
    expect(() => toInstant(new Date('nope'))).toThrow(RangeError);
  });

  it.each([
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T05:30:00-0430', '2024-05-01T10:00:00.000Z'],
    // ServiceNow answers in UTC without a zone designator.
    ['2024-05-01 10:00:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
  ])('normalizes %s', (input, stored) => {
    expect(normalizeInstant(input)).toBe(stored);
  });

  it.each(['', 'yesterday', '1714557600', '2024-13-45T00:00:00Z'])('refuses %p', (input) => {
    expect(normalizeInstant(input)).toBeUndefined();
  });
});
