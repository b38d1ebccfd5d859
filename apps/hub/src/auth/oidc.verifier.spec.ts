import { issuerKey, signJwt, startIssuer, TestIssuer } from '../../../../test/support/oidc-issuer';
import { OidcError, OidcVerifier } from './oidc.verifier';

const NOW = new Date('2026-11-02T12:00:00Z');
const nowS = NOW.getTime() / 1000;

describe('OidcVerifier', () => {
  const rsa = issuerKey('rsa-1');
  const ec = issuerKey('ec-1', 'ES256');
  const ed = issuerKey('ed-1', 'EdDSA');
  const pss = issuerKey('pss-1', 'PS256');
  let issuer: TestIssuer;
  let verifier: OidcVerifier;
  let ms = 0;
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: issuer.url,
    aud: 'audit-hub',
    sub: 'u-123',
    email: 'jane@acme.com',
    exp: nowS + 300,
    audit_hub_role: 'auditor',
    audit_hub_team: 'payments',
    ...extra,
  });
  const refusal = async (token: string): Promise<OidcError> => {
    const err = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OidcError);
    return err as OidcError;
  };

  beforeAll(async () => {
    issuer = await startIssuer([rsa, ec, ed, pss]);
  });
  beforeEach(() => {
    verifier = new OidcVerifier(
      {
        issuer: issuer.url,
        audience: 'audit-hub',
        roleClaim: 'audit_hub_role',
        teamClaim: 'audit_hub_team',
        companyWideRoles: [],
      },
      () => NOW,
      undefined,
      () => ms,
    );
  });
  afterAll(() => issuer.close());

  it.each([rsa, ec, ed, pss])('accepts a token signed with the issuer key $alg', async (key) => {
    await expect(verifier.verify(signJwt(key, claims({ audit_hub_team: 'payments' })))).resolves.toEqual({
      id: 'oidc:u-123',
      name: 'jane@acme.com',
      role: 'auditor',
      team: 'payments',
      kind: 'oidc',
    });
  });

  it('grants the most privileged role a list claim names', async () => {
    const p = await verifier.verify(
      signJwt(rsa, claims({ audit_hub_role: ['auditor', 'operator', 'other'] })),
    );
    expect(p.role).toBe('operator');
  });

  it('refuses a wrong issuer, audience, an expired or not-yet-valid token', async () => {
    expect((await refusal(signJwt(rsa, claims({ iss: 'https://evil.example.com' })))).message).toMatch(
      /issuer/,
    );
    expect((await refusal(signJwt(rsa, claims({ aud: ['other'] })))).message).toMatch(
      /audience does not include "audit-hub"/,
    );
    expect((await refusal(signJwt(rsa, claims({ exp: nowS - 120 })))).message).toMatch(/expired/);
    expect((await refusal(signJwt(rsa, claims({ exp: undefined })))).message).toMatch(/no expiry/);
    expect((await refusal(signJwt(rsa, claims({ nbf: nowS + 600 })))).message).toMatch(/not valid yet/);
  });

  it('refuses a forged signature, alg none and HMAC (a public key is never an HMAC secret)', async () => {
    const stranger = issuerKey('rsa-1');
    expect((await refusal(signJwt(stranger, claims()))).message).toMatch(/signature does not verify/);
    const [h, p] = signJwt(rsa, claims()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'rsa-1' })).toString('base64url')}.${p}.`;
    expect((await refusal(none)).message).toMatch(/algorithm "none" is not accepted/);
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'rsa-1' })).toString('base64url')}.${p}.${h}`;
    expect((await refusal(hs)).message).toMatch(/algorithm "HS256" is not accepted/);
  });

  it('takes a token without a key id only when one issuer key fits its algorithm', async () => {
    // One Ed25519 key is published: it is the key.
    await expect(verifier.verify(signJwt(ed, claims(), { kid: undefined }))).resolves.toMatchObject({
      id: 'oidc:u-123',
    });
    // Two RSA keys (rsa-1, pss-1) are published: which one is meant cannot be told.
    expect((await refusal(signJwt(rsa, claims(), { kid: undefined }))).message).toBe(
      'the JWT names no key id and the issuer publishes no single key for RS256',
    );
  });

  it('refuses a token whose header is not JSON', async () => {
    const [, p, s] = signJwt(rsa, claims()).split('.');
    const err = await refusal(`${Buffer.from('not json').toString('base64url')}.${p}.${s}`);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^the bearer token is not a valid JWT/);
  });

  it('answers 403 when the role claim is missing or unknown, or names several teams', async () => {
    const noRole = await refusal(signJwt(rsa, claims({ audit_hub_role: undefined })));
    expect(noRole.status).toBe(403);
    expect(noRole.message).toMatch(/audit_hub_role claim must be one of admin, operator, auditor/);
    expect((await refusal(signJwt(rsa, claims({ audit_hub_role: 'root' })))).status).toBe(403);
    expect((await refusal(signJwt(rsa, claims({ audit_hub_team: ['a', 'b'] })))).message).toMatch(
      /several teams/,
    );
  });

  it.each([
    ['null', { audit_hub_team: null }, 'null'],
    ['an empty string', { audit_hub_team: '' }, '""'],
    ['blank', { audit_hub_team: '  ' }, '"  "'],
    ['an empty list', { audit_hub_team: [] }, '[]'],
    ['a list of an empty string', { audit_hub_team: [''] }, '[""]'],
    ['a number', { audit_hub_team: 7 }, '7'],
    ['an object', { audit_hub_team: { name: 'payments' } }, '{"name":"payments"}'],
    ['a list of a non-string', { audit_hub_team: [null] }, '[null]'],
    ['a list with an empty entry', { audit_hub_team: ['payments', ''] }, '["payments",""]'],
  ])('fails closed (401, no unscoped token) when the team claim is %s', async (_what, team, found) => {
    const err = await refusal(signJwt(rsa, claims(team)));
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found ${found}`,
    );
  });

  it('fails closed (401) when the team claim is missing and no role may go without one', async () => {
    const err = await refusal(signJwt(rsa, claims({ audit_hub_role: 'admin', audit_hub_team: undefined })));
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      'the JWT has no audit_hub_team claim; only the roles in api.oidc.companyWideRoles (none configured) may go without a team',
    );
  });

  it('takes one team as a string or a list of one, and refuses several (403)', async () => {
    await expect(
      verifier.verify(signJwt(rsa, claims({ audit_hub_team: ['payments'] }))),
    ).resolves.toMatchObject({
      team: 'payments',
    });
    for (const teams of [
      ['payments', 'billing'],
      ['payments', 'payments'],
    ]) {
      const err = await refusal(signJwt(rsa, claims({ audit_hub_team: teams })));
      expect(err.status).toBe(403);
      expect(err.message).toBe(
        "the JWT's audit_hub_team claim names several teams; a token is scoped to one",
      );
    }
  });

  describe('with api.oidc.companyWideRoles', () => {
    let companyWide: OidcVerifier;
    beforeEach(() => {
      companyWide = new OidcVerifier(
        {
          issuer: issuer.url,
          audience: 'audit-hub',
          roleClaim: 'audit_hub_role',
          teamClaim: 'groups',
          companyWideRoles: ['admin'],
        },
        () => NOW,
        undefined,
        () => ms,
      );
    });
    const admin = (extra: Record<string, unknown> = {}) =>
      claims({ audit_hub_role: 'admin', audit_hub_team: undefined, ...extra });
    const refused = async (token: string) => {
      const err = await companyWide.verify(token).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OidcError);
      return err as OidcError;
    };

    it('takes a token of such a role without the team claim as company-wide (team null)', async () => {
      await expect(companyWide.verify(signJwt(rsa, admin()))).resolves.toMatchObject({
        role: 'admin',
        team: null,
      });
      // The role granted (the most privileged one listed) is what counts.
      await expect(
        companyWide.verify(signJwt(rsa, admin({ audit_hub_role: ['auditor', 'admin'] }))),
      ).resolves.toMatchObject({ role: 'admin', team: null });
    });

    it.each([
      ['null', null],
      ['an empty string', ''],
      ['an empty list', []],
      ['a list of an empty string', ['']],
    ])(
      'still refuses (401) a team claim that is present but %s: a broken mapping, not "no team"',
      async (_w, team) => {
        const err = await refused(signJwt(rsa, admin({ groups: team })));
        expect(err.status).toBe(401);
        expect(err.message).toMatch(/^the JWT's groups claim must name one team/);
      },
    );

    it('scopes such a role to the team its token names, and refuses several', async () => {
      await expect(companyWide.verify(signJwt(rsa, admin({ groups: ['payments'] })))).resolves.toMatchObject({
        role: 'admin',
        team: 'payments',
      });
      expect((await refused(signJwt(rsa, admin({ groups: ['payments', 'billing'] })))).status).toBe(403);
    });

    it('refuses (401) other roles without the team claim, naming the roles that may', async () => {
      for (const role of ['operator', 'auditor']) {
        const err = await refused(signJwt(rsa, admin({ audit_hub_role: role })));
        expect(err.status).toBe(401);
        expect(err.message).toBe(
          'the JWT has no groups claim; only the roles in api.oidc.companyWideRoles (admin) may go without a team',
        );
      }
    });
  });

  it('fetches the keys again for an unknown key id (rotation), not for every token', async () => {
    await verifier.verify(signJwt(rsa, claims()));
    await verifier.verify(signJwt(ec, claims()));
    const fetches = issuer.jwksFetches;
    const rotated = issuerKey('rsa-2');
    issuer.keys = [...issuer.keys, rotated];
    // Within 30 s of the last fetch an unknown kid is refused without asking the issuer again.
    expect((await refusal(signJwt(rotated, claims()))).message).toMatch(/key id "rsa-2" is not among/);
    expect(issuer.jwksFetches).toBe(fetches);
    ms += 31_000;
    await expect(verifier.verify(signJwt(rotated, claims()))).resolves.toMatchObject({ id: 'oidc:u-123' });
    expect(issuer.jwksFetches).toBe(fetches + 1);
    expect((await refusal(signJwt(issuerKey('nope'), claims()))).message).toMatch(
      /key id "nope" is not among/,
    );
    expect(issuer.jwksFetches).toBe(fetches + 1);
    issuer.keys = [rsa, ec, ed, pss];
  });

  it('says so when the issuer cannot be reached', async () => {
    const offline = new OidcVerifier(
      {
        issuer: 'http://127.0.0.1:9',
        audience: 'audit-hub',
        roleClaim: 'r',
        teamClaim: 't',
        companyWideRoles: [],
      },
      () => NOW,
    );
    const err = await offline.verify(signJwt(rsa, claims())).catch((e: OidcError) => e);
    expect(err).toBeInstanceOf(OidcError);
    expect((err as OidcError).message).toMatch(/issuer's keys could not be fetched/);
  });
});
