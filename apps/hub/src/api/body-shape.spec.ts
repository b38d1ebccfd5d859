import { MAX_BODY_DEPTH, shapeProblem } from './body-shape';

const check = (value: unknown, maxDepth?: number) =>
  shapeProblem(value, 'the request body', 'body', maxDepth);

/** `levels` nested arrays (`[[[…]]]`), parsed as a client would send them. */
const nestedArrays = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels));
/** `levels` nested objects (`{"a":{"a":…}}`). */
const nestedObjects = (levels: number) =>
  JSON.parse('{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1));

describe('shapeProblem', () => {
  it('accepts the shapes the API takes, and anything that is not an object', () => {
    expect(
      check({
        control: 'RM-CHG-001',
        subject: 'gitlab:*',
        reason: 'constructor of prototype',
        expires: '2027-01-01',
      }),
    ).toBeUndefined();
    expect(check({ full: true, tags: ['a', { b: [1, 2] }] })).toBeUndefined();
    for (const v of [undefined, null, 'text', 7, true]) expect(check(v)).toBeUndefined();
  });

  it(`accepts ${MAX_BODY_DEPTH} levels and refuses one more, naming the depth and where`, () => {
    expect(check(nestedArrays(MAX_BODY_DEPTH))).toBeUndefined();
    expect(check(nestedObjects(MAX_BODY_DEPTH))).toBeUndefined();
    expect(check(nestedArrays(MAX_BODY_DEPTH + 1))).toBe(
      `the request body is nested more than 32 levels deep (at body${'[0]'.repeat(MAX_BODY_DEPTH)})`,
    );
    expect(check(nestedObjects(MAX_BODY_DEPTH + 1))).toBe(
      `the request body is nested more than 32 levels deep (at body${'.a'.repeat(MAX_BODY_DEPTH)})`,
    );
    expect(check({ a: 1 }, 1)).toBeUndefined();
    expect(check({ a: {} }, 1)).toMatch(/nested more than 1 levels deep \(at body\.a\)/);
  });

  it('walks a 5,000-deep (and a 100,000-deep) body without overflowing the stack', () => {
    expect(check(nestedArrays(5_000))).toMatch(/^the request body is nested more than 32 levels deep/);
    expect(check(nestedObjects(5_000))).toMatch(/^the request body is nested more than 32 levels deep/);
    // No limit to stop at: the walk itself must not recurse.
    expect(check(nestedArrays(100_000), Infinity)).toBeUndefined();
    // The path named is cut short rather than 5,000 segments long.
    expect(check(nestedObjects(5_000))!.length).toBeLessThan(300);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses the key %s at any depth, naming the path',
    (key) => {
      expect(check(JSON.parse(`{"${key}":{"isAdmin":true}}`))).toBe(
        `the request body may not contain the key "${key}" (at body.${key})`,
      );
      expect(check(JSON.parse(`{"a":{"b":[{"ok":1},{"${key}":1}]}}`))).toBe(
        `the request body may not contain the key "${key}" (at body.a.b[1].${key})`,
      );
      expect(check(JSON.parse(`[[{"${key}":null}]]`))).toBe(
        `the request body may not contain the key "${key}" (at body[0][0].${key})`,
      );
    },
  );

  it('finds a `__proto__` key JSON.parse made an own property, not the prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
    expect(check(parsed)).toMatch(/may not contain the key "__proto__"/);
    // An object literal's prototype is not a key of it.
    expect(check({})).toBeUndefined();
  });

  it('takes arrays by index, skipping holes, and names other roots', () => {
    expect(check([1, , [2]])).toBeUndefined();
    expect(shapeProblem({ q: { constructor: 'x' } }, 'the query string', 'query')).toBe(
      'the query string may not contain the key "constructor" (at query.q.constructor)',
    );
  });
});
