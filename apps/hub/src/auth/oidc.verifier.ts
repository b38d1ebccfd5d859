/**
 * OIDC bearer tokens (JWTs) for the API, checked against the issuer's published keys: the JWKS
 * named by `<issuer>/.well-known/openid-configuration`, cached, and fetched again when a token
 * names a key id not seen yet (key rotation), at most once per cool-down.
 *
 * The fetching and caching are ours, so the cool-down and the clock can be driven in tests and a
 * fetch failure gets a message of its own; key selection and the token itself are checked by
 * `jose` (`createLocalJWKSet` over the fetched set, `jwtVerify`): asymmetric algorithms only
 * (`none` and HMAC are refused, so a public key can never be used as an HMAC secret), exact `iss`,
 * `aud` containing the audience, `exp` required, `nbf` honoured, with a small clock tolerance.
 * jose's errors are turned into sentences that say which check failed.
 *
 * The role and team claims fail closed: a token needs a role, and a team unless its role is
 * configured as company-wide (`companyWideRoles`) and it carries no team claim at all.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { API_ROLES, ApiRole, isApiRole, Principal } from './principal';

export interface OidcSettings {
  issuer: string;
  audience: string;
  roleClaim: string;
  teamClaim: string;
  /** Roles that may go without a team claim, and then see every team (`api.oidc.companyWideRoles`). */
  companyWideRoles: readonly ApiRole[];
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

/** Signature algorithms accepted: asymmetric only. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Seconds of clock difference tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 60;
/** How long fetched keys are trusted before they are fetched again. */
const CACHE_MAX_AGE_MS = 10 * 60_000;
/** At most one re-fetch for an unknown key id per this interval (a flood of bad kids costs nothing). */
const COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

type KeySet = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike>;

export async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

export class OidcVerifier {
  private keySet?: KeySet;
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
    if (!OidcVerifier.looksLikeJwt(jwt))
      throw new OidcError(401, 'the bearer token is neither an audit-hub API token nor a JWT');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, (header, token) => this.key(header, token), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
        currentDate: this.now(),
      }));
    } catch (err) {
      throw this.refusal(err, jwt);
    }
    return this.principal(claims);
  }

  /** jose's reasons for refusing a token, as sentences naming the check that failed. */
  private refusal(err: unknown, jwt: string): Error {
    if (err instanceof OidcError) return err;
    if (err instanceof errors.JOSEAlgNotAllowed)
      return new OidcError(
        401,
        `the JWT's algorithm "${String(decodeProtectedHeader(jwt).alg)}" is not accepted (one of ${ALGORITHMS.join(', ')})`,
      );
    if (err instanceof errors.JWSSignatureVerificationFailed)
      return new OidcError(401, "the JWT's signature does not verify with the issuer's keys");
    if (err instanceof errors.JWTExpired) return new OidcError(401, 'the JWT has expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      const { issuer, audience } = this.settings;
      switch (err.claim) {
        case 'iss':
          return new OidcError(
            401,
            `the JWT's issuer "${String(err.payload.iss)}" is not the configured ${issuer}`,
          );
        case 'aud':
          return new OidcError(401, `the JWT's audience does not include "${audience}"`);
        case 'exp':
          return new OidcError(401, 'the JWT has no expiry (exp)');
        case 'nbf':
          if (err.reason === 'check_failed') return new OidcError(401, 'the JWT is not valid yet (nbf)');
      }
      return new OidcError(401, `the JWT's ${err.claim} claim is invalid (${err.message})`);
    }
    if (err instanceof errors.JOSEError)
      return new OidcError(401, `the bearer token is not a valid JWT (${err.message})`);
    return err instanceof Error ? err : new Error(String(err));
  }

  private principal(claims: JWTPayload): Principal {
    const { roleClaim } = this.settings;
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
    const team = this.team(claims, role);
    const name = [claims.email, claims.preferred_username, claims.name].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    return { id: `oidc:${sub}`, name: name ?? sub, role, team, kind: 'oidc' };
  }

  /**
   * The team a token is scoped to, failing closed: the claim must name one team (a non-empty
   * string, or a list of one). Only a role configured as company-wide may go without the claim —
   * absent, not empty: an empty or null claim is an identity-provider mapping gone wrong, and
   * reading it as "no team" would widen the token to every team.
   */
  private team(claims: JWTPayload, role: ApiRole): string | null {
    const { teamClaim, companyWideRoles } = this.settings;
    if (!Object.prototype.hasOwnProperty.call(claims, teamClaim)) {
      if (companyWideRoles.includes(role)) return null;
      throw new OidcError(
        401,
        `the JWT has no ${teamClaim} claim; only the roles in api.oidc.companyWideRoles (${companyWideRoles.join(', ') || 'none configured'}) may go without a team`,
      );
    }
    const raw = claims[teamClaim];
    const values = Array.isArray(raw) ? raw : [raw];
    if (!values.length || values.some((t) => typeof t !== 'string' || !t.trim()))
      throw new OidcError(
        401,
        `the JWT's ${teamClaim} claim must name one team (a non-empty string, or a list of one); found ${JSON.stringify(raw).slice(0, 100)}`,
      );
    if (values.length > 1)
      throw new OidcError(403, `the JWT's ${teamClaim} claim names several teams; a token is scoped to one`);
    return values[0] as string;
  }

  /** The issuer key for a token's header (jose calls this once the algorithm is accepted). */
  private async key(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> {
    const now = this.tick();
    if (!this.keySet || now - this.fetchedAt > CACHE_MAX_AGE_MS) await this.refresh(true);
    try {
      return await this.keySet!(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || now - this.lastFetchAttempt <= COOLDOWN_MS)
        throw this.keyError(err, header);
    }
    // An unknown key id: the issuer may have rotated its keys since the last fetch.
    await this.refresh(false);
    try {
      return await this.keySet!(header, token);
    } catch (err) {
      throw this.keyError(err, header);
    }
  }

  private keyError(err: unknown, { kid, alg }: JWSHeaderParameters): OidcError {
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
      return new OidcError(
        401,
        kid
          ? `the JWT's key id "${kid}" is not among the issuer's published keys`
          : `the JWT names no key id and the issuer publishes no single key for ${alg}`,
      );
    return new OidcError(
      401,
      `the issuer's key "${kid ?? ''}" cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  private async refresh(failHard: boolean): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    try {
      await this.inflight;
    } catch (err) {
      if (failHard || !this.keySet)
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
    // Entries that are not keys at all are skipped rather than failing the whole set.
    const keys = jwks.keys.filter((k): k is JWK => typeof k === 'object' && k !== null && 'kty' in k);
    this.keySet = createLocalJWKSet({ keys } satisfies JSONWebKeySet);
    this.fetchedAt = this.tick();
  }
}
