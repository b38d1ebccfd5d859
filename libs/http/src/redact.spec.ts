import fc from 'fast-check';
import { isSecretParamName, redact, redactUrl, SECRET_PLACEHOLDER } from './redact';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('redact', () => {
  it('replaces a secret and its URL-encoded and base64 forms', () => {
    const secret = 'p@ss word/+';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} form p%40ss+word%2F%2B base64 ${b64(secret)}`;
    expect(redact(text, [secret])).toBe('raw [REDACTED] url [REDACTED] form [REDACTED] base64 [REDACTED]');
  });

  it('covers overlapping secrets with one placeholder, whatever their order', () => {
    expect(redact('x-abcdefgh-x', ['abcd', 'abcdefgh'])).toBe('x-[REDACTED]-x');
    expect(redact('x-abcdefgh-x', ['cdef', 'abcd'])).toBe('x-[REDACTED]gh-x');
  });

  it('ignores empty secrets and leaves text without secrets alone', () => {
    expect(redact('nothing to hide', ['', 'absent-secret'])).toBe('nothing to hide');
  });

  it('matches encoded forms only for secrets of at least 4 characters', () => {
    expect(redact('abc YWJj', ['abc'])).toBe('[REDACTED] YWJj');
  });

  it('returns only the placeholder when redaction cannot settle (a secret the placeholder itself spells)', () => {
    expect(redact('ACTED', ['ACTED'])).toBe(SECRET_PLACEHOLDER);
  });
});

describe('redactUrl', () => {
  it('removes the values of credential-like parameters by name and known secrets by value', () => {
    const url =
      '/api/v4/projects?private_token=abc&page=2&access_token=def&api_key=ghi&key=jkl&X-Amz-Signature=mno&client_secret=pqr&sig=stu';
    expect(redactUrl(url, [])).toBe(
      '/api/v4/projects?private_token=[REDACTED]&page=2&access_token=[REDACTED]&api_key=[REDACTED]&key=[REDACTED]' +
        '&X-Amz-Signature=[REDACTED]&client_secret=[REDACTED]&sig=[REDACTED]',
    );
    expect(redactUrl('/a/s3cr3t-path?x=1#frag', ['s3cr3t-path'])).toBe('/a/[REDACTED]?x=1');
  });

  it('keeps parameters that only look like keys (SonarQube projectKey, Jira nextPageToken)', () => {
    const url = '/api/qualitygates/project_status?projectKey=my-app&nextPageToken=CAE&sort_key=id';
    expect(redactUrl(url, [])).toBe(url);
  });

  it.each(['password', 'passwd', 'PRIVATE-TOKEN', 'authToken', 'jwt', 'apiKey', 'credentials', 'auth'])(
    'treats %s as a credential name',
    (name) => expect(isSecretParamName(name)).toBe(true),
  );
});

/** Secrets the placeholder itself cannot spell; shorter ones are not searched in encoded forms. */
const secretArb = fc
  .string({ minLength: 4, maxLength: 24, unit: 'binary' })
  .filter((secret) => !SECRET_PLACEHOLDER.includes(secret));
const textArb = fc.string({ maxLength: 40, unit: 'binary' });

function urlEncoded(secret: string): string[] {
  try {
    return [encodeURIComponent(secret)];
  } catch {
    return [];
  }
}

describe('redact properties', () => {
  it('never leaves a secret or its encoded forms in the text', () => {
    fc.assert(
      fc.property(textArb, secretArb, textArb, textArb, (before, secret, between, after) => {
        const text = `${before}${secret}${between}${urlEncoded(secret).join('')}${b64(secret)}${after}`;
        const out = redact(text, [secret]);
        for (const form of [secret, ...urlEncoded(secret), b64(secret)]) expect(out).not.toContain(form);
      }),
    );
  });

  it('never leaves any of several secrets', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 4 }),
        fc.array(textArb, { maxLength: 6 }),
        (secrets, parts) => {
          const text = parts.map((part, i) => part + secrets[i % secrets.length]).join('') + secrets.join('');
          const out = redact(text, secrets);
          for (const secret of secrets) expect(out).not.toContain(secret);
        },
      ),
    );
  });

  it('leaves a text that holds no secret unchanged', () => {
    fc.assert(
      fc.property(textArb, secretArb, (text, secret) => {
        const base64 = b64(secret);
        const forms = [secret, base64, base64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url')];
        for (const encoded of urlEncoded(secret)) {
          forms.push(
            encoded,
            encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
          );
          forms.push(new URLSearchParams({ s: secret }).toString().slice(2));
        }
        fc.pre(!forms.some((form) => text.includes(form)));
        expect(redact(text, [secret])).toBe(text);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(textArb, secretArb, textArb, (before, secret, after) => {
        const once = redact(before + secret + after, [secret]);
        expect(redact(once, [secret])).toBe(once);
      }),
    );
  });

  it('redactUrl hides the value of a credential parameter, whatever it is', () => {
    const names = fc.constantFrom(
      'private_token',
      'access_token',
      'password',
      'api_key',
      'key',
      'secret',
      'sig',
    );
    fc.assert(
      fc.property(names, fc.string({ minLength: 1, maxLength: 30 }), (name, value) => {
        const out = redactUrl(`/api/items?page=2&${name}=${encodeURIComponent(value)}&per_page=20`, []);
        expect(out).toBe(`/api/items?page=2&${name}=${SECRET_PLACEHOLDER}&per_page=20`);
      }),
    );
  });
});
