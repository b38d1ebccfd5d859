import { IdentityResolver, nameLowerVariants, type SourceIdentity } from './identity.resolver';

const user = (
  userName: string,
  email: string | null,
  active = true,
  connector = 'servicenow',
): SourceIdentity => ({
  connector,
  userName,
  email,
  name: userName.toUpperCase(),
  active,
});

function resolver(overrides: Partial<ConstructorParameters<typeof IdentityResolver>[0]> = {}) {
  return new IdentityResolver({
    identities: [
      user('pat', 'pat@acme.com'),
      user('pat@acme.com', 'patrick@acme.com'),
      user('jane.doe', 'Jane.Doe@acme.com'),
      user('leaver', 'leaver@acme.com', false),
      user('svc-deploy', null),
      user('nomail', null),
    ],
    aliases: { 'jane.doe@acme.com': ['jdoe', 'jane', 'pat'], 'contractor@partner.com': ['ctr'] },
    serviceAccountPattern: '^svc[-_]',
    holders: [
      { name: 'entity-7f3a', aliases: ['ghost-alias', 'jdoe'], predefined: false },
      { name: 'entity-9b1c', aliases: ['approle-x', 'svc_payments'], predefined: false },
      { name: 'Master', aliases: [], predefined: true },
    ],
    ...overrides,
  });
}

describe('IdentityResolver', () => {
  it("resolves by e-mail first: a name that is one user's e-mail and another's user name is the first", () => {
    expect(resolver().resolve('PAT@acme.com')).toEqual({
      personKey: 'pat@acme.com',
      known: true,
      active: true,
      serviceAccount: false,
    });
    expect(resolver().resolve('patrick@acme.com').personKey).toBe('patrick@acme.com');
  });

  it('resolves by user name, case-insensitively, to the person keyed by the lower-cased e-mail', () => {
    expect(resolver().resolve(' Jane.Doe ').personKey).toBe('jane.doe@acme.com');
    expect(resolver().resolve('nomail').personKey).toBe('nomail');
  });

  it('maps identities.aliases names to the person of the e-mail, but never over a source user name', () => {
    expect(resolver().resolve('JDoe').personKey).toBe('jane.doe@acme.com');
    expect(resolver().resolve('jane').personKey).toBe('jane.doe@acme.com');
    // `pat` is a ServiceNow user name: the alias list cannot take it over.
    expect(resolver().resolve('pat').personKey).toBe('pat@acme.com');
  });

  it('makes an alias e-mail no source knows an unknown person, with its alias names', () => {
    expect(resolver().resolve('ctr')).toEqual({
      personKey: 'contractor@partner.com',
      known: false,
      active: false,
      serviceAccount: false,
    });
  });

  it('resolves an entitlement holder through any of its alias names', () => {
    expect(resolver().resolve('entity-7f3a').personKey).toBe('jane.doe@acme.com');
    expect(resolver().resolve('ghost-alias').personKey).toBe('jane.doe@acme.com');
  });

  it('gives a name no source knows an unknown person keyed by the lower-cased name', () => {
    expect(resolver().resolve('GitLab-Only')).toEqual({
      personKey: 'gitlab-only',
      known: false,
      active: false,
      serviceAccount: false,
    });
  });

  it('knows an inactive user but does not make them active', () => {
    expect(resolver().resolve('leaver')).toEqual({
      personKey: 'leaver@acme.com',
      known: true,
      active: false,
      serviceAccount: false,
    });
  });

  it('is active when any identity source has the person active', () => {
    const r = resolver({
      identities: [user('sam', 'sam@acme.com', false, 'sn-eu'), user('sam', 'sam@acme.com', true, 'sn-us')],
    });
    expect(r.resolve('sam')).toMatchObject({ personKey: 'sam@acme.com', known: true, active: true });
  });

  it('flags service accounts by pattern (as written or lower-cased) and CyberArk predefined members', () => {
    const r = resolver();
    expect(r.resolve('svc-deploy')).toMatchObject({ known: true, serviceAccount: true });
    expect(r.resolve('SVC_ci')).toMatchObject({ known: false, serviceAccount: true });
    expect(r.resolve('Master')).toMatchObject({ known: false, serviceAccount: true });
    // An entity is a service account when one of its names is.
    expect(r.resolve('entity-9b1c')).toMatchObject({ personKey: 'entity-9b1c', serviceAccount: true });
    expect(r.resolve('jane.doe').serviceAccount).toBe(false);
    expect(resolver({ serviceAccountPattern: '^robot-' }).resolve('svc-deploy').serviceAccount).toBe(false);
  });

  it('lists every person and every name with the forms SQL LOWER() gives on both databases', () => {
    const { persons, names } = resolver().directory(['Bob', 'bob', 'JDOE', 'Ünal']);
    expect(persons.find((p) => p.personKey === 'bob')).toMatchObject({
      known: false,
      names: ['Bob', 'bob'],
      displayName: 'Bob',
    });
    expect(persons.find((p) => p.personKey === 'jane.doe@acme.com')).toMatchObject({
      known: true,
      active: true,
      email: 'Jane.Doe@acme.com',
      displayName: 'JANE.DOE',
      sourceConnector: 'servicenow',
    });
    expect(names.get('jdoe')).toBe('jane.doe@acme.com');
    expect(names.get('bob')).toBe('bob');
    expect(names.get('ünal')).toBe('ünal');
    expect(names.get('Ünal')).toBe('ünal');
    expect(persons.map((p) => p.personKey)).toContain('master');
  });

  it('refuses an empty name', () => {
    expect(() => resolver().resolve('  ')).toThrow(/empty/);
  });
});

describe('nameLowerVariants', () => {
  it('gives the full lower-case, the ASCII-only lower-case (SQLite LOWER) and the trimmed form', () => {
    expect(nameLowerVariants('ÜBER Admin ')).toEqual(['über admin ', 'Über admin ', 'über admin']);
    expect(nameLowerVariants('bob')).toEqual(['bob']);
  });
});
