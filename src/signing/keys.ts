// The keys tokens are signed with. ES256 (ECDSA on P-256 with SHA-256) is the
// one algorithm: every JOSE library and platform verifier knows it under one
// stable name, while Ed25519's JOSE name is changing (RFC 9864 replaces
// `EdDSA` with `Ed25519`) and verifiers disagree on which they accept; see
// README.md here. JWT_SECRET alone (HS256) still works for existing deploys.
// Session tokens are signed with HMAC keys derived from these, never published.
import { hkdfSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { SESSION_KID, SIGNING_ALG, type PrivateSigningJwk } from '../config/signing-keys.ts';

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
  /** Signs access tokens: the first key; none with JWT_SECRET alone (a shared secret would let every verifier forge them). */
  signer: { kid: string; key: CryptoKey } | undefined;
  /** Signs session tokens: the HMAC key derived from the first key, else from the secret. */
  sessionSigner: { kid: string; key: CryptoKey };
  /** Session tokens' HMAC keys by kid: one derived from every configured key, and one from the secret if set. */
  sessionKeys: ReadonlyMap<string, CryptoKey>;
  /** Public keys by kid, every configured key: here they verify only session tokens signed before the derived keys. */
  verifiers: ReadonlyMap<string, CryptoKey>;
  /** HS256 secret itself, if any: verifies session tokens signed with it before the derived keys. */
  secret: CryptoKey | undefined;
  /** The JWKS: the public keys in configured order; one object per key set, so it is serialized once. */
  jwks: { keys: PublicSigningJwk[] };
}

/**
 * HKDF's `info` labels, one per source, so a derived key equals neither its
 * source nor a key derived from the other. Changing one ends every session.
 */
const SESSION_KEY_INFO = {
  key: 'netlify-auth-service session tokens HS256 v1, from an ES256 key',
  secret: 'netlify-auth-service session tokens HS256 v1, from JWT_SECRET',
} as const;

const hmacKey = (raw: BufferSource) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

/** HKDF-SHA256 (RFC 5869) of the source's secret bytes, no salt (the ES256 `d` is uniform; JWT_SECRET is 32+ bytes). */
const sessionKey = (secretBytes: Uint8Array, info: string) => hmacKey(hkdfSync('sha256', secretBytes, new Uint8Array(0), info, 32));

/** The kid of the session key derived from the configured key `kid`. */
const sessionKid = (kid: string) => `${SESSION_KID}:${kid}`;

/** Import every key once (jose would import a JWK again on every use) and derive the session keys. */
export async function importKeySet(keys: readonly PrivateSigningJwk[], secret: string | undefined): Promise<KeySet> {
  const secretBytes = secret === undefined ? undefined : Buffer.from(secret);
  const verifiers = new Map<string, CryptoKey>();
  const sessionKeys = new Map<string, CryptoKey>();
  for (const key of keys) {
    try {
      verifiers.set(key.kid, (await importJWK(publicJwk(key), SIGNING_ALG)) as CryptoKey);
    } catch {
      throw new Error(`key "${key.kid}": x and y are not a point on P-256`);
    }
    sessionKeys.set(sessionKid(key.kid), await sessionKey(Buffer.from(key.d, 'base64url'), SESSION_KEY_INFO.key));
  }
  if (secretBytes !== undefined) sessionKeys.set(SESSION_KID, await sessionKey(secretBytes, SESSION_KEY_INFO.secret));
  const jwks = { keys: keys.map(publicJwk) };
  const set = { sessionKeys, verifiers, secret: secretBytes === undefined ? undefined : await hmacKey(secretBytes), jwks };
  const [first] = keys;
  if (first !== undefined) {
    let key: CryptoKey;
    try {
      key = (await importJWK({ ...publicJwk(first), d: first.d }, SIGNING_ALG)) as CryptoKey;
    } catch {
      throw new Error(`key "${first.kid}": d is not the private key of x and y`);
    }
    const kid = sessionKid(first.kid);
    return { ...set, signer: { kid: first.kid, key }, sessionSigner: { kid, key: sessionKeys.get(kid)! } };
  }
  if (secretBytes === undefined) throw new Error('no signing key and no secret');
  return { ...set, signer: undefined, sessionSigner: { kid: SESSION_KID, key: sessionKeys.get(SESSION_KID)! } };
}

/** A new private signing key, its kid the RFC 7638 thumbprint of its public part. */
export async function newSigningKey(): Promise<PrivateSigningJwk> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk: JWK = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d!, kid, alg: SIGNING_ALG, use: 'sig' };
}
