// Signing and verifying JWTs with the key set. The header's `typ` tells the
// kinds apart (`JWT` for session tokens, `at+jwt` for access tokens, RFC
// 9068), and a verifier names the one kind it takes, so a token of one kind is
// never accepted as the other (access tokens also carry an audience).
import { jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { SIGNING_ALG } from '../config/signing-keys.ts';
import type { KeySet } from './keys.ts';

const TOKEN_TYPES = { session: 'JWT', access: 'at+jwt' } as const;
type TokenKind = keyof typeof TOKEN_TYPES;

/** Sign `payload` with the current key; access tokens need an ES256 key (a shared secret would let every verifier forge them). */
export function signJwt(keys: KeySet, kind: TokenKind, payload: JWTPayload): Promise<string> {
  const { signer } = keys;
  if (signer.alg !== SIGNING_ALG && kind !== 'session') throw new Error(`${kind} tokens need an ${SIGNING_ALG} signing key`);
  const header: JWTHeaderParameters =
    signer.alg === SIGNING_ALG ? { alg: signer.alg, typ: TOKEN_TYPES[kind], kid: signer.kid } : { alg: signer.alg, typ: TOKEN_TYPES[kind] };
  const signed = new SignJWT(payload).setProtectedHeader(header).sign(signer.key);
  return signer.alg === SIGNING_ALG ? signed.then(withLowS) : signed;
}

/** The order n of P-256's base point; an ES256 signature is r then s, 32 bytes each (RFC 7518 §3.4). */
const P256_ORDER = 0xffffffff_00000000_ffffffff_ffffffff_bce6faad_a7179e84_f3b9cac2_fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/** s ≤ n/2 as the 32 big-endian bytes of s compare: the check runs on every session token, so no BigInt there. */
const HALF_ORDER_BYTES = Buffer.from(HALF_ORDER.toString(16).padStart(64, '0'), 'hex');

const signatureOf = (token: string) => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');

const isLowS = (signature: Buffer) => signature.length === 64 && Buffer.compare(signature.subarray(32), HALF_ORDER_BYTES) <= 0;

/**
 * ECDSA signatures are malleable: (r, n−s) verifies wherever (r, s) does, so
 * anyone holding a token could make a second one that verifies. WebCrypto
 * picks either s; tokens go out with the low one (s ≤ n/2), and a session token
 * with the high one is refused: only the form we issue counts (a session token
 * signed before this rule with a high s is refused too: its user logs in again).
 */
function withLowS(token: string): string {
  const signature = signatureOf(token);
  if (isLowS(signature)) return token;
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  signature.write((P256_ORDER - s).toString(16).padStart(64, '0'), 32, 'hex');
  return token.slice(0, token.lastIndexOf('.') + 1) + signature.toString('base64url');
}

/**
 * The key a session token's header names: an ES256 token by its `kid` among
 * the configured keys; an HS256 one (no `kid`) by the secret, when one is set.
 * Anything else has no key, so jose refuses it (`alg: none` included).
 */
function sessionKey(keys: KeySet, header: JWTHeaderParameters): CryptoKey {
  if (header.alg === SIGNING_ALG && typeof header.kid === 'string') {
    const key = keys.verifiers.get(header.kid);
    if (key !== undefined) return key;
  }
  if (header.alg === 'HS256' && header.kid === undefined && keys.secret !== undefined) return keys.secret;
  throw new Error('no key for this token');
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
    algorithms: keys.secret === undefined ? [SIGNING_ALG] : [SIGNING_ALG, 'HS256'],
    typ: TOKEN_TYPES.session,
    currentDate: options.currentDate,
    requiredClaims: options.requiredClaims,
  });
  if (protectedHeader.alg === SIGNING_ALG && !isLowS(signatureOf(token))) throw new Error('a high-S signature: not the form we issued');
  return payload;
}
