// The keys tokens are signed with. ES256 (ECDSA on P-256 with SHA-256) is the
// one algorithm: every JOSE library and platform verifier knows it under one
// stable name, while Ed25519's JOSE name is changing (RFC 9864 replaces
// `EdDSA` with `Ed25519`) and verifiers disagree on which they accept; see
// README.md here. JWT_SECRET alone (HS256) still works for existing deploys.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { SIGNING_ALG, type PrivateSigningJwk } from '../config/signing-keys.ts';

/**
 * How long verifiers may cache the JWKS: a key added to JWT_SIGNING_KEYS must
 * be published this long before it signs (src/signing/README.md, rotation).
 */
export const JWKS_MAX_AGE_SECONDS = 300;

export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
}

/** The public members only, named one by one: `d` and any other member of the configured key stay out. */
export function publicJwk(key: PrivateSigningJwk): PublicSigningJwk {
  return { kty: key.kty, crv: key.crv, x: key.x, y: key.y, kid: key.kid, alg: SIGNING_ALG, use: 'sig' };
}

export interface KeySet {
  /** What new tokens are signed with: the first key, or the HS256 secret when there are none. */
  signer: { alg: typeof SIGNING_ALG; kid: string; key: CryptoKey } | { alg: 'HS256'; key: CryptoKey };
  /** Public keys by kid: every configured key verifies. */
  verifiers: ReadonlyMap<string, CryptoKey>;
  /** HS256 secret, if any: verifies session tokens signed before keys were configured. */
  secret: CryptoKey | undefined;
  /** The JWKS: the public keys in configured order; one object per key set, so it is serialized once. */
  jwks: { keys: PublicSigningJwk[] };
}

/** Import every key once (jose would import a JWK again on every use). */
export async function importKeySet(keys: readonly PrivateSigningJwk[], secret: string | undefined): Promise<KeySet> {
  const hmac =
    secret === undefined
      ? undefined
      : await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
          'sign',
          'verify',
        ]);
  const verifiers = new Map<string, CryptoKey>();
  for (const key of keys) {
    try {
      verifiers.set(key.kid, (await importJWK(publicJwk(key), SIGNING_ALG)) as CryptoKey);
    } catch {
      throw new Error(`key "${key.kid}": x and y are not a point on P-256`);
    }
  }
  const [first] = keys;
  if (first !== undefined) {
    let key: CryptoKey;
    try {
      key = (await importJWK({ ...publicJwk(first), d: first.d }, SIGNING_ALG)) as CryptoKey;
    } catch {
      throw new Error(`key "${first.kid}": d is not the private key of x and y`);
    }
    return { signer: { alg: SIGNING_ALG, kid: first.kid, key }, verifiers, secret: hmac, jwks: { keys: keys.map(publicJwk) } };
  }
  if (hmac === undefined) throw new Error('no signing key and no secret');
  return { signer: { alg: 'HS256', key: hmac }, verifiers, secret: hmac, jwks: { keys: [] } };
}

/** A new private signing key, its kid the RFC 7638 thumbprint of its public part. */
export async function newSigningKey(): Promise<PrivateSigningJwk> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk: JWK = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d!, kid, alg: SIGNING_ALG, use: 'sig' };
}
