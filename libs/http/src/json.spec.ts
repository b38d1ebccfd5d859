import fc from 'fast-check';
import { parseJsonLossless } from './json';

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 as exact strings and other numbers as numbers', () => {
    const text =
      '{"serial":278969561018901340486471282831158785578,"neg":-9007199254740993,"id":42,"x":1.5,"state":3.0}';
    expect(parseJsonLossless(text)).toEqual({
      serial: '278969561018901340486471282831158785578',
      neg: '-9007199254740993',
      id: 42,
      x: 1.5,
      state: 3,
    });
  });

  it('reads a byte-order mark and duplicate keys as JSON.parse does', () => {
    expect(parseJsonLossless('\uFEFF{"a":1,"a":2}')).toEqual({ a: 2 });
  });

  it.each(['', '<html>', '{"a":1} trailing', '{"a":}'])('rejects %p', (text) => {
    expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on documents without unsafe integers', () => {
    const safe = fc.jsonValue().filter((value) => !/\d{16,}/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(safe, (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('returns any integer exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (n) => {
        const parsed = parseJsonLossless(`{"n":${n}}`) as { n: unknown };
        const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(parsed.n).toEqual(safe ? Number(n) : n.toString());
      }),
    );
  });
});
