/**
 * OIDC bearer tokens (JWTs) for the API, checked against the issuer's published keys: the JWKS
 * named by `<issuer>/.well-known/openid-configuration`, cached, and fetched again when a token
 * names a key id not seen yet (key rotation), at most once per cool-down.
 *
 * Written on Node's own crypto (JWK import, RSA, RSA-PSS, ECDSA, Ed25519) because `jose` is not
 * among the installed packages; the behaviour follows jose's `createRemoteJWKSet` + `jwtVerify`:
 * asymmetric algorithms only (`none` and HMAC are refused, so a public key can never be used as
 * an HMAC secret), exact `iss`, `aud` containing the audience, `exp` required, `nbf` honoured,
 * with a small clock tolerance.
 */
import { createPublicKey, constants, KeyObject, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { API_ROLES, ApiRole, isApiRole, Principal } from './principal';

export interface OidcSettings {
  issuer: string;
  audience: string;
  roleClaim: string;
  teamClaim: string;
}

/** GETs a URL and returns its JSON body; injected in tests. */
export type JsonFetcher = (url: string) => Promise<unknown>;

/** Why a bearer token was refused: 401 (not a valid token) or 403 (valid, but no usable role). */
export class OidcError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'OidcError';
  }
}

const ALGORITHMS: Record<string, { kty: string; hash: string | null; pss?: boolean; ec?: boolean }> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', ec: true },
  ES384: { kty: 'EC', hash: 'sha384', ec: true },
  ES512: { kty: 'EC', hash: 'sha512', ec: true },
  EdDSA: { kty: 'OKP', hash: null },
};
/** Seconds of clock difference tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 60;
/** How long fetched keys are trusted before they are fetched again. */
const CACHE_MAX_AGE_MS = 10 * 60_000;
/** At most one re-fetch for an unknown key id per this interval (a flood of bad kids costs nothing). */
const COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
  alg?: string;
}

export async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw new OidcError(401, `the bearer token's ${what} is not base64url JSON`);
}

export class OidcVerifier {
  private keys: Jwk[] = [];
  private fetchedAt = 0;
  private lastFetchAttempt = 0;
  private jwksUri?: string;
  private inflight?: Promise<void>;

  constructor(
    private readonly settings: OidcSettings,
    /** The clock claims are checked against (the hub's clock). */
    private readonly now: () => Date = () => new Date(),
    private readonly getJson: JsonFetcher = fetchJson,
    /** Milliseconds for the key cache and the re-fetch cool-down (a fake in tests). */
    private readonly tick: () => number = Date.now,
  ) {}

  /** Whether a bearer value has the shape of a JWT (three base64url parts). */
  static looksLikeJwt(value: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
  }

  async verify(jwt: string): Promise<Principal> {
    const parts = jwt.split('.');
    if (parts.length !== 3 || !OidcVerifier.looksLikeJwt(jwt))
      throw new OidcError(401, 'the bearer token is neither an audit-hub API token nor a JWT');
    const header = decodePart(parts[0], 'header');
    const claims = decodePart(parts[1], 'payload');
    const alg = String(header.alg);
    const spec = ALGORITHMS[alg];
    if (!spec)
      throw new OidcError(
        401,
        `the JWT's algorithm "${alg}" is not accepted (one of ${Object.keys(ALGORITHMS).join(', ')})`,
      );
    const key = await this.keyFor(typeof header.kid === 'string' ? header.kid : undefined, spec.kty, alg);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    const signature = Buffer.from(parts[2], 'base64url');
    let ok = false;
    try {
      ok = spec.pss
        ? cryptoVerify(
            spec.hash,
            data,
            {
              key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            },
            signature,
          )
        : spec.ec
          ? cryptoVerify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
          : cryptoVerify(spec.hash, data, key, signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new OidcError(401, "the JWT's signature does not verify with the issuer's keys");
    this.checkClaims(claims);
    return this.principal(claims);
  }

  private checkClaims(claims: Record<string, unknown>): void {
    const { issuer, audience } = this.settings;
    if (claims.iss !== issuer)
      throw new OidcError(401, `the JWT's issuer "${String(claims.iss)}" is not the configured ${issuer}`);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(audience))
      throw new OidcError(401, `the JWT's audience does not include "${audience}"`);
    const nowS = Math.floor(this.now().getTime() / 1000);
    if (typeof claims.exp !== 'number') throw new OidcError(401, 'the JWT has no expiry (exp)');
    if (claims.exp <= nowS - CLOCK_TOLERANCE_S) throw new OidcError(401, 'the JWT has expired');
    if (typeof claims.nbf === 'number' && claims.nbf > nowS + CLOCK_TOLERANCE_S)
      throw new OidcError(401, 'the JWT is not valid yet (nbf)');
  }

  private principal(claims: Record<string, unknown>): Principal {
    const { roleClaim, teamClaim } = this.settings;
    const sub = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
    if (!sub) throw new OidcError(401, 'the JWT has no subject (sub)');
    const rawRoles = claims[roleClaim];
    const roles = (Array.isArray(rawRoles) ? rawRoles : [rawRoles]).filter(isApiRole);
    // A claim listing several roles (an IdP group list) grants the most privileged of them.
    const role = API_ROLES.find((r) => roles.includes(r)) as ApiRole | undefined;
    if (!role)
      throw new OidcError(
        403,
        `the JWT's ${roleClaim} claim must be one of ${API_ROLES.join(', ')} (found ${JSON.stringify(rawRoles ?? null)})`,
      );
    const rawTeam = claims[teamClaim];
    const teams = (Array.isArray(rawTeam) ? rawTeam : rawTeam === undefined ? [] : [rawTeam]).filter(
      (t): t is string => typeof t === 'string' && t.length > 0,
    );
    if (teams.length > 1)
      throw new OidcError(403, `the JWT's ${teamClaim} claim names several teams; a token is scoped to one`);
    const name = [claims.email, claims.preferred_username, claims.name].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    return { id: `oidc:${sub}`, name: name ?? sub, role, team: teams[0] ?? null, kind: 'oidc' };
  }

  private async keyFor(kid: string | undefined, kty: string, alg: string): Promise<KeyObject> {
    const now = this.tick();
    if (!this.keys.length || now - this.fetchedAt > CACHE_MAX_AGE_MS) await this.refresh(true);
    let jwk = this.select(kid, kty, alg);
    if (!jwk && now - this.lastFetchAttempt > COOLDOWN_MS) {
      // An unknown key id: the issuer may have rotated its keys since the last fetch.
      await this.refresh(false);
      jwk = this.select(kid, kty, alg);
    }
    if (!jwk)
      throw new OidcError(
        401,
        kid
          ? `the JWT's key id "${kid}" is not among the issuer's published keys`
          : `the JWT names no key id and the issuer publishes no single ${kty} key`,
      );
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch (err) {
      throw new OidcError(401, `the issuer's key "${kid ?? ''}" cannot be read: ${(err as Error).message}`);
    }
  }

  private select(kid: string | undefined, kty: string, alg: string): Jwk | undefined {
    const usable = this.keys.filter(
      (k) => k.kty === kty && (!k.use || k.use === 'sig') && (!k.alg || k.alg === alg),
    );
    if (kid) return usable.find((k) => k.kid === kid);
    return usable.length === 1 ? usable[0] : undefined;
  }

  private async refresh(failHard: boolean): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    try {
      await this.inflight;
    } catch (err) {
      if (failHard || !this.keys.length)
        throw new OidcError(
          401,
          `the issuer's keys could not be fetched (${(err as Error).message}); the token cannot be checked`,
        );
    }
  }

  private async load(): Promise<void> {
    this.lastFetchAttempt = this.tick();
    if (!this.jwksUri) {
      const discovery = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const doc = (await this.getJson(discovery)) as { jwks_uri?: unknown };
      if (typeof doc?.jwks_uri !== 'string') throw new Error(`${discovery} has no jwks_uri`);
      this.jwksUri = doc.jwks_uri;
    }
    const jwks = (await this.getJson(this.jwksUri)) as { keys?: unknown };
    if (!Array.isArray(jwks?.keys)) throw new Error(`${this.jwksUri} is not a JWK set`);
    this.keys = jwks.keys.filter((k): k is Jwk => typeof k === 'object' && k !== null && 'kty' in k);
    this.fetchedAt = this.tick();
  }
}
