import { parseConfig } from './config.loader';

const parse = (text: string) => parseConfig(text, { env: {}, baseDir: process.cwd() });

describe('config: api.oidc', () => {
  it('is off by default', () => {
    expect(parse('').config.api).toEqual({});
  });

  it('takes the issuer and audience, with default claim names', () => {
    const { config } = parse(
      'api:\n  oidc:\n    issuer: https://login.example.com/realms/acme\n    audience: audit-hub\n',
    );
    expect(config.api.oidc).toEqual({
      issuer: 'https://login.example.com/realms/acme',
      audience: 'audit-hub',
      roleClaim: 'audit_hub_role',
      teamClaim: 'audit_hub_team',
      companyWideRoles: [],
    });
  });

  it('takes the roles that may go without a team, and refuses unknown ones', () => {
    const oidc = 'api:\n  oidc:\n    issuer: https://idp.example.com\n    audience: hub\n';
    expect(
      parse(`${oidc}    companyWideRoles: [admin, auditor]\n`).config.api.oidc?.companyWideRoles,
    ).toEqual(['admin', 'auditor']);
    expect(() => parse(`${oidc}    companyWideRoles: [root]\n`)).toThrow(
      /api\.oidc\.companyWideRoles \(line 5\): must be a list of roles \(admin, operator, auditor\)/,
    );
  });

  it('keeps claim names as written', () => {
    const { config } = parse(
      'api:\n  oidc:\n    issuer: https://idp.example.com\n    audience: hub\n    roleClaim: roles\n    teamClaim: groups\n',
    );
    expect(config.api.oidc).toMatchObject({ roleClaim: 'roles', teamClaim: 'groups' });
  });

  it('names the path and line of a bad or unknown key', () => {
    expect(() => parse('api:\n  oidc:\n    issuer: not-a-url\n    audience: hub\n')).toThrow(
      /api\.oidc\.issuer \(line 3\): must be an http\(s\) URL/,
    );
    expect(() => parse('api:\n  oidc:\n    issuer: https://idp.example.com\n')).toThrow(
      /api\.oidc\.audience \(line 2\): is required/,
    );
    expect(() => parse('api:\n  tokens: []\n')).toThrow(/api\.tokens \(line 2\): unknown key/);
  });
});

describe('config: api body limit and proxies', () => {
  it('takes maxBodyKb and trustProxy when set, and leaves them out otherwise', () => {
    expect(parse('api:\n  maxBodyKb: 512\n  trustProxy: 1\n').config.api).toEqual({
      maxBodyKb: 512,
      trustProxy: 1,
    });
    expect(parse('api: {}\n').config.api).toEqual({});
  });

  it('refuses a body limit that is not a whole number of kB in range, and a negative hop count', () => {
    expect(() => parse('api:\n  maxBodyKb: 0\n')).toThrow(
      /api\.maxBodyKb \(line 2\): must be a whole number of kB/,
    );
    expect(() => parse('api:\n  maxBodyKb: "1mb"\n')).toThrow(/api\.maxBodyKb/);
    expect(() => parse('api:\n  trustProxy: -1\n')).toThrow(
      /api\.trustProxy \(line 2\): must be an integer of at least 0/,
    );
  });
});
