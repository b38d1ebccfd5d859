import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './cursor';

describe('keyset cursors', () => {
  it('round-trip the last item of a page, opaque to the client', () => {
    const c = encodeCursor('findings:severity:now', [1, 'RM-CHG-001|gitlab:acme/x#1']);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 'findings:severity:now', 2)).toEqual([1, 'RM-CHG-001|gitlab:acme/x#1']);
  });

  it('refuse a cursor of another list or sort, or a tampered one', () => {
    const c = encodeCursor('findings:severity:now', [1, 'k']);
    for (const [raw, list] of [
      [c, 'findings:key:now'],
      [c.slice(0, -3), 'findings:severity:now'],
      [encodeCursor('findings:severity:now', [1]), 'findings:severity:now'],
      ['bm90IGpzb24', 'findings:severity:now'],
    ])
      expect(() => decodeCursor(raw, list, 2)).toThrow(BadRequestException);
  });
});
