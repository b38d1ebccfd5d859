/**
 * A stand-in OpenID Connect issuer for tests: signing keys, a discovery document and a JWKS
 * served on loopback, and JWTs signed the way an IdP signs them (RS256 / ES256 / EdDSA).
 */
import { createServer, Server } from 'node:http';
import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';

export interface IssuerKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA' | 'PS256';
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function issuerKey(kid: string, alg: IssuerKey['alg'] = 'RS256'): IssuerKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig' },
  };
}

/** A compact JWS over the claims, signed with the key (or with `alg`/`kid` overridden in the header). */
export function signJwt(
  key: IssuerKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const h = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })).toString(
    'base64url',
  );
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const data = Buffer.from(`${h}.${p}`);
  const signature =
    key.alg === 'EdDSA'
      ? sign(null, data, key.privateKey)
      : key.alg === 'ES256'
        ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : key.alg === 'PS256'
          ? sign('sha256', data, { key: key.privateKey, padding: 6, saltLength: 32 })
          : sign('sha256', data, key.privateKey);
  return `${h}.${p}.${signature.toString('base64url')}`;
}

export interface TestIssuer {
  url: string;
  /** Keys published in the JWKS; change the list to rotate. */
  keys: IssuerKey[];
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  close(): Promise<void>;
}

export async function startIssuer(keys: IssuerKey[]): Promise<TestIssuer> {
  const issuer: TestIssuer = { url: '', keys, jwksFetches: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${issuer.url}/jwks` }));
    } else if (req.url === '/jwks') {
      issuer.jwksFetches++;
      res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.publicJwk) }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  issuer.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return issuer;
}
