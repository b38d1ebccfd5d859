import fc from 'fast-check';
import { Redactor } from './redactor';

const PLACEHOLDER = '[REDACTED]';

/** Every string inside a value, keys included. */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  if (value instanceof Map) return [...value].flatMap(([k, v]) => [...strings(k, seen), ...strings(v, seen)]);
  if (value instanceof Set || Array.isArray(value)) return [...value].flatMap((v) => strings(v, seen));
  const own = value instanceof Error ? [value.message, value.stack ?? ''] : [];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => [k, ...strings(v, seen)])];
}

describe('Redactor', () => {
  it('leaves no secret anywhere in a redacted value (property)', () => {
    // A secret that is part of the placeholder itself ("RED") is unavoidably "found" in every
    // placeholder; real secrets are not words of it.
    const secret = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !PLACEHOLDER.includes(s));
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 4 }).chain((secrets) => {
          const text = fc
            .array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...secrets)), { maxLength: 6 })
            .map((parts) => parts.join(''));
          const value = fc.letrec((tie) => ({
            node: fc.oneof(
              { depthSize: 'small', withCrossShrink: true },
              text,
              fc.integer(),
              fc.constant(null),
              fc.array(tie('node'), { maxLength: 4 }),
              fc.dictionary(text, tie('node'), { maxKeys: 4 }),
            ),
          })).node;
          return fc.tuple(fc.constant(secrets), value);
        }),
        ([secrets, value]) => {
          const redactor = new Redactor(secrets);
          const before = JSON.stringify(value);
          const redacted = redactor.redactDeep(value);
          const shared = redactor.redactShared(value);
          for (const s of [...strings(redacted), ...strings(shared)]) {
            for (const secretValue of secrets) expect(s).not.toContain(secretValue);
          }
          // Both give the same value; neither changes its input.
          expect(shared).toEqual(redacted);
          expect(JSON.stringify(value)).toBe(before);
        },
      ),
    );
  });

  it('redactShared returns the value itself when nothing in it holds a secret, and copies only the way to what does', () => {
    const redactor = new Redactor(['glpat-secret-token']);
    const clean = { title: 'fix', commits: [{ id: 'a1' }, { id: 'b2' }], n: 3 };
    expect(redactor.redactShared(clean)).toBe(clean);
    const untouched = { author: 'ann' };
    const leaky = { meta: untouched, commits: [{ id: 'a1' }, { message: 'token glpat-secret-token' }] };
    const out = redactor.redactShared(leaky);
    expect(out).not.toBe(leaky);
    expect(out.meta).toBe(untouched);
    expect(out.commits[0]).toBe(leaky.commits[0]);
    expect(out.commits[1]).toEqual({ message: `token ${PLACEHOLDER}` });
    expect(leaky.commits[1].message).toBe('token glpat-secret-token');
    // A key holding the secret is redacted too.
    expect(redactor.redactShared({ 'glpat-secret-token': 1 })).toEqual({ [PLACEHOLDER]: 1 });
  });

  it('redactShared copies data that is not a tree (a cycle) as redactDeep does', () => {
    const redactor = new Redactor(['glpat-secret-token']);
    const looped: Record<string, unknown> = { note: 'glpat-secret-token' };
    looped.self = looped;
    const out = redactor.redactShared(looped) as Record<string, unknown>;
    expect(out.note).toBe(PLACEHOLDER);
    expect(out.self).toBe(out);
  });

  it('redacts a secret inside a longer text and keeps the rest', () => {
    const redactor = new Redactor(['s3cr3t-token']);
    expect(redactor.redact('GET /api?private_token=s3cr3t-token failed')).toBe(
      'GET /api?private_token=[REDACTED] failed',
    );
    expect(redactor.redact('nothing to hide')).toBe('nothing to hide');
  });

  it('learns secrets added later, and ignores empty ones', () => {
    const redactor = new Redactor(['', 'first-secret']);
    redactor.add('second-secret');
    redactor.add('');
    expect(redactor.secrets()).toEqual(['first-secret', 'second-secret']);
    expect(redactor.redact('first-secret second-secret')).toBe('[REDACTED] [REDACTED]');
  });

  it('walks errors, maps, sets, class instances and cycles, and keeps dates as they are', () => {
    class Finding {
      constructor(readonly reason: string) {}
      shout(): string {
        return this.reason.toUpperCase();
      }
    }
    const date = new Date('2027-03-31T00:00:00Z');
    const err = new Error('auth failed with token abc-secret-123');
    const cyclic: Record<string, unknown> = { note: 'abc-secret-123' };
    cyclic.self = cyclic;
    const input = {
      err,
      map: new Map([['abc-secret-123', 'value abc-secret-123']]),
      set: new Set(['abc-secret-123']),
      finding: new Finding('token abc-secret-123 leaked'),
      date,
      cyclic,
      n: 3,
    };

    const out = new Redactor(['abc-secret-123']).redactDeep(input);

    expect(out.err).toBeInstanceOf(Error);
    expect(out.err.message).toBe('auth failed with token [REDACTED]');
    expect(out.err.stack).not.toContain('abc-secret-123');
    expect([...out.map]).toEqual([['[REDACTED]', 'value [REDACTED]']]);
    expect([...out.set]).toEqual(['[REDACTED]']);
    expect(out.finding).toBeInstanceOf(Finding);
    expect(out.finding.shout()).toBe('TOKEN [REDACTED] LEAKED');
    expect(out.date).toBe(date);
    expect(out.cyclic.self).toBe(out.cyclic);
    expect(out.cyclic.note).toBe('[REDACTED]');
    expect(out.n).toBe(3);
    expect(input.err.message).toContain('abc-secret-123');
  });

  it('keeps a key named __proto__ as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "abc-secret-123"}}');
    const out = new Redactor(['abc-secret-123']).redactDeep(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: '[REDACTED]' });
  });
});
