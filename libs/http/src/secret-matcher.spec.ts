import fc from 'fast-check';
import { SECRET_PLACEHOLDER, SecretMatcher, secretForms } from './secret-matcher';

/** The redaction every secret form gets, written the slow, obvious way: the reference to agree with. */
function referenceRedact(text: string, secrets: string[]): string {
  const forms = [...new Set(secrets.flatMap(secretForms))];
  const holds = (t: string) => forms.some((form) => t.includes(form));
  let out = text;
  for (let pass = 0; pass < 4; pass++) {
    if (!holds(out)) return out;
    const covered = new Array<boolean>(out.length).fill(false);
    for (const form of forms) {
      for (let at = out.indexOf(form); at >= 0; at = out.indexOf(form, at + 1)) {
        for (let i = at; i < at + form.length; i++) covered[i] = true;
      }
    }
    let next = '';
    for (let i = 0; i < out.length; i++) {
      if (!covered[i]) next += out[i];
      else if (i === 0 || !covered[i - 1]) next += SECRET_PLACEHOLDER;
    }
    out = next;
  }
  return holds(out) ? SECRET_PLACEHOLDER : out;
}

/** Secrets with none of their forms inside the placeholder (those are "found" in every placeholder). */
const secretArb = fc
  .string({ minLength: 1, maxLength: 20, unit: 'binary' })
  .filter((secret) => secretForms(secret).every((form) => !SECRET_PLACEHOLDER.includes(form)));
/** Regex syntax, separators and look-alikes, so escaping and overlaps are exercised. */
const fragmentArb = fc.oneof(
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.constantFrom('.*', '(?:', '|', '\\', '$&', '[^]', '%2F', '%2f', '+', '=', '\n', '\u2028', '\ud800'),
);

describe('SecretMatcher', () => {
  it('redacts every form of every secret (property): raw, URL-encoded, form-encoded and base64', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 5 }),
        fc.array(fragmentArb, { maxLength: 8 }),
        fc.nat(),
        (secrets, fragments, seed) => {
          const forms = secrets.flatMap(secretForms);
          // Every form of every secret, each between ordinary fragments, in a shuffled order.
          const parts = forms.map(
            (form, i) => `${fragments[(i + seed) % (fragments.length || 1)] ?? ''}${form}`,
          );
          const text = parts.reverse().join('|') + fragments.join('');
          const out = new SecretMatcher(secrets).redact(text);
          for (const form of forms) expect(out).not.toContain(form);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the obvious implementation, overlaps and re-spelled placeholders included (property)', () => {
    const pieces = (secrets: string[]) =>
      fc.array(
        fc.oneof(
          fragmentArb,
          fc.constantFrom(...secrets.flatMap(secretForms)),
          fc.constantFrom(...secrets).map((s) => s.slice(0, Math.ceil(s.length / 2))),
          fc.constant(SECRET_PLACEHOLDER.slice(0, 5)),
        ),
        { maxLength: 10 },
      );
    fc.assert(
      fc.property(
        fc
          .array(fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }), { minLength: 1, maxLength: 4 })
          .chain((secrets) => fc.tuple(fc.constant(secrets), pieces(secrets))),
        ([secrets, parts]) => {
          const text = parts.join('');
          expect(new SecretMatcher(secrets).redact(text)).toBe(referenceRedact(text, secrets));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves a text without any secret form unchanged, whatever characters the secrets hold (property)', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 4 }),
        fc.array(fragmentArb, { maxLength: 10 }),
        (secrets, fragments) => {
          const text = fragments.join('');
          fc.pre(!secrets.flatMap(secretForms).some((form) => text.includes(form)));
          const matcher = new SecretMatcher(secrets);
          expect(matcher.matches(text)).toBe(false);
          expect(matcher.redact(text)).toBe(text);
        },
      ),
    );
  });

  it('treats regex syntax in a secret literally', () => {
    const matcher = new SecretMatcher(['a.b*c(d)|e']);
    expect(matcher.redact('aXbbbcd e')).toBe('aXbbbcd e');
    expect(matcher.redact('x a.b*c(d)|e y')).toBe(`x ${SECRET_PLACEHOLDER} y`);
  });

  it('learns secrets added after it first matched, and ignores repeats and empty ones', () => {
    const matcher = new SecretMatcher(['first-secret']);
    expect(matcher.redact('first-secret second-secret')).toBe('[REDACTED] second-secret');
    expect(matcher.add('second-secret')).toBe(true);
    expect(matcher.add('second-secret')).toBe(false);
    expect(matcher.add('')).toBe(false);
    expect(matcher.secrets()).toEqual(['first-secret', 'second-secret']);
    expect(matcher.redact('first-secret second-secret')).toBe('[REDACTED] [REDACTED]');
    const base64 = Buffer.from('second-secret').toString('base64');
    expect(matcher.redact(`Basic ${base64}`)).toBe('Basic [REDACTED]');
  });

  it('matches nothing when it holds no secret', () => {
    const matcher = new SecretMatcher([]);
    expect(matcher.size).toBe(0);
    expect(matcher.matches('anything')).toBe(false);
    expect(matcher.redact('anything')).toBe('anything');
  });
});
