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
    });
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
