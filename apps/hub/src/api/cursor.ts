/**
 * Opaque keyset cursors: the sort and the last item's sort values, base64url JSON. A cursor only
 * works with the list and sort it came from; anything else is a 400 naming the parameter.
 */
import { BadRequestException } from '@nestjs/common';

export function encodeCursor(list: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify({ l: list, v: values }), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string, list: string, arity: number): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = parsed as { l?: unknown; v?: unknown } | undefined;
  if (
    !c ||
    c.l !== list ||
    !Array.isArray(c.v) ||
    c.v.length !== arity ||
    !c.v.every((x) => typeof x === 'string' || typeof x === 'number')
  )
    throw new BadRequestException(
      'query parameter cursor: not a cursor of this list and sort (pass the nextCursor of the previous page, unchanged)',
    );
  return c.v as (string | number)[];
}

/** A page of items and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  limit: number;
}
