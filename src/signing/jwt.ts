// Signing and verifying JWTs with the key set. The two kinds cannot be
// confused even by a verifier that checks only a signature: access tokens
// (`typ: at+jwt`, RFC 9068) are ES256 under the published keys, session tokens
// (`typ: JWT`) HS256 under a key derived from the signing key and never
// published, its `kid` one no JWKS holds (src/signing/README.md).
import { jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { SIGNING_ALG } from '../config/signing-keys.ts';
import type { KeySet } from './keys.ts';

const TOKEN_TYPES = { session: 'JWT', access: 'at+jwt' } as const;
type TokenKind = keyof typeof TOKEN_TYPES;
const SESSION_ALG = 'HS256';

/** Sign `payload` as a token of `kind`; access tokens need an ES256 key (a shared secret would let every verifier forge them). */
export async function signJwt(keys: KeySet, kind: TokenKind, payload: JWTPayload): Promise<string> {
  if (kind === 'session') {
    const { kid, key } = keys.sessionSigner;
    return new SignJWT(payload).setProtectedHeader({ alg: SESSION_ALG, typ: TOKEN_TYPES.session, kid }).sign(key);
  }
  const { signer } = keys;
  if (signer === undefined) throw new Error(`${kind} tokens need an ${SIGNING_ALG} signing key`);
  const header = { alg: SIGNING_ALG, typ: TOKEN_TYPES[kind], kid: signer.kid };
  return withLowS(await new SignJWT(payload).setProtectedHeader(header).sign(signer.key));
}

/** The order n of P-256's base point; an ES256 signature is r then s, 32 bytes each (RFC 7518 §3.4). */
const P256_ORDER = 0xffffffff_00000000_ffffffff_ffffffff_bce6faad_a7179e84_f3b9cac2_fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/** s ≤ n/2 as the 32 big-endian bytes of s compare: no BigInt on a session token's path. */
const HALF_ORDER_BYTES = Buffer.from(HALF_ORDER.toString(16).padStart(64, '0'), 'hex');

const signatureOf = (token: string) => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');

const isLowS = (signature: Buffer) => signature.length === 64 && Buffer.compare(signature.subarray(32), HALF_ORDER_BYTES) <= 0;

/**
 * ECDSA signatures are malleable: (r, n−s) verifies wherever (r, s) does, so
 * anyone holding a token could make a second one that verifies. WebCrypto
 * picks either s; access tokens go out with the low one (s ≤ n/2) for
 * verifiers that insist on it, and an ES256 session token (signed before the
 * derived keys) with the high one is refused: only the form we issued counts.
 */
function withLowS(token: string): string {
  const signature = signatureOf(token);
  if (isLowS(signature)) return token;
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  signature.write((P256_ORDER - s).toString(16).padStart(64, '0'), 32, 'hex');
  return token.slice(0, token.lastIndexOf('.') + 1) + signature.toString('base64url');
}

/**
 * The key a session token's header names: an HS256 token by its `kid` among
 * the derived session keys, any other by the rule for older tokens. Anything
 * else has no key, so jose refuses it (`alg: none` included).
 */
function sessionKey(keys: KeySet, header: JWTHeaderParameters): CryptoKey {
  const key =
    header.alg === SESSION_ALG && typeof header.kid === 'string' ? keys.sessionKeys.get(header.kid) : signedBeforeDerivedKeys(keys, header);
  if (key === undefined) throw new Error('no key for this token');
  return key;
}

/**
 * Session tokens issued before the derived keys: ES256 by the configured key's
 * `kid`, or HS256 by JWT_SECRET itself and no `kid`. They live SESSION_TTL at
 * most (30 days by default), so this path and the high-S check below go that
 * long after the deploy that brought the derived keys (no one is logged out by it).
 */
function signedBeforeDerivedKeys(keys: KeySet, header: JWTHeaderParameters): CryptoKey | undefined {
  if (header.alg === SIGNING_ALG && typeof header.kid === 'string') return keys.verifiers.get(header.kid);
  return header.alg === SESSION_ALG && header.kid === undefined ? keys.secret : undefined;
}

/**
 * The payload of a session token one of our keys signed, unexpired at
 * `currentDate`; throws otherwise. Only this service reads session tokens:
 * other services verify access tokens with the JWKS (README.md here).
 */
export async function verifySessionJwt(
  keys: KeySet,
  token: string,
  options: { currentDate: Date; requiredClaims: string[] },
): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, (header) => sessionKey(keys, header), {
    algorithms: [SESSION_ALG, SIGNING_ALG],
    typ: TOKEN_TYPES.session,
    currentDate: options.currentDate,
    requiredClaims: options.requiredClaims,
  });
  if (protectedHeader.alg === SIGNING_ALG && !isLowS(signatureOf(token))) throw new Error('a high-S signature: not the form we issued');
  return payload;
}
