import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonymizer, resolvePseudonymKey, type PersonValues } from './pseudonymizer';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');

const people: PersonValues = {
  values: [
    { value: 'jane.doe', kind: 'userName' },
    { value: 'jane.doe@acme.example', kind: 'email' },
    { value: 'Jane Doe', kind: 'name' },
    { value: 'jdoe', kind: 'userName' },
    { value: 'bob', kind: 'userName' },
    { value: 'svc-deployer', kind: 'userName' },
  ],
  samePerson: [
    ['jane.doe', 'jane.doe@acme.example', 'Jane Doe'],
    ['jane.doe@acme.example', 'jdoe'],
  ],
};

describe('Pseudonymizer', () => {
  const p = new Pseudonymizer(KEY, people);

  it('gives one person one pseudonym across user names, e-mail, display name and aliases', () => {
    const jane = p.pseudonymOf('jane.doe');
    expect(jane).toMatch(/^person-[0-9a-f]{6}$/);
    for (const v of ['jane.doe@acme.example', 'Jane Doe', 'JDOE', 'jdoe'])
      expect(p.pseudonymOf(v)).toBe(jane);
    expect(p.pseudonymOf('bob')).not.toBe(jane);
  });

  it('is keyed: the same key gives the same pseudonyms, another key others', () => {
    const again = new Pseudonymizer(Buffer.from(KEY), people);
    const other = new Pseudonymizer(Buffer.from('another key, another mapping....'), people);
    expect(again.pseudonymOf('bob')).toBe(p.pseudonymOf('bob'));
    expect(other.pseudonymOf('bob')).not.toBe(p.pseudonymOf('bob'));
    // The representative does not depend on the order values were seen in.
    const reversed = new Pseudonymizer(KEY, {
      values: [...people.values].reverse(),
      samePerson: people.samePerson,
    });
    expect(reversed.pseudonymOf('jdoe')).toBe(p.pseudonymOf('jdoe'));
  });

  it('replaces names inside text, whole tokens only, and any e-mail address', () => {
    const jane = p.pseudonymOf('jane.doe');
    const text =
      'Approved by jane.doe (Jane Doe <jane.doe@acme.example>); bobby and jdoe2 are other people; ' +
      'vault:bob:prod-db; svc-deployer played it. Contact help@elsewhere.example.';
    const out = p.redactText(text);
    expect(out).toBe(
      `Approved by ${jane} (${jane} <${jane}>); bobby and jdoe2 are other people; ` +
        `vault:${p.pseudonymOf('bob')}:prod-db; ${p.pseudonymOf('svc-deployer')} played it. ` +
        `Contact ${p.pseudonymOf('help@elsewhere.example')}.`,
    );
  });

  it('redacts every string of a structure except the kept keys', () => {
    const out = p.redact(
      {
        controlId: 'RM-SOD-001',
        by: ['bob'],
        nested: { reason: 'jdoe approved', title: 'bob', approvers: ['Unknown Person'] },
      },
      { keep: new Set(['controlId', 'title']), personFields: new Set(['approvers']) },
    );
    expect(out).toEqual({
      controlId: 'RM-SOD-001',
      by: [p.pseudonymOf('bob')],
      nested: {
        reason: `${p.pseudonymOf('jdoe')} approved`,
        title: 'bob',
        approvers: [p.pseudonymOf('Unknown Person')],
      },
    });
  });

  it('never rewrites the report vocabulary inside text, but still pseudonymizes a person field', () => {
    const withBot = new Pseudonymizer(
      KEY,
      { values: [...people.values, { value: 'jenkins', kind: 'userName' }], samePerson: [] },
      ['jenkins', 'gitlab'],
    );
    const out = withBot.redact(
      { ref: 'jenkins:payments/payments-api-deploy#311', triggeredBy: 'jenkins', reason: 'bob ran jenkins' },
      { personFields: new Set(['triggeredBy']) },
    );
    expect(out).toEqual({
      ref: 'jenkins:payments/payments-api-deploy#311',
      triggeredBy: withBot.pseudonymOf('jenkins'),
      reason: `${withBot.pseudonymOf('bob')} ran jenkins`,
    });
  });
});

describe('resolvePseudonymKey', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-hub-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives the key from evidence.signingKey when set', () => {
    const a = resolvePseudonymKey(
      '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
      join(dir, 'k'),
    );
    expect(a).toHaveLength(32);
    expect(resolvePseudonymKey('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----')).toEqual(a);
    expect(() => statSync(join(dir, 'k'))).toThrow();
  });

  it('creates a random key file once (owner-only) and reuses it', () => {
    const file = join(dir, 'data', 'report-pseudonym.key');
    const first = resolvePseudonymKey(undefined, file);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(resolvePseudonymKey(undefined, file)).toEqual(first);
  });
});
