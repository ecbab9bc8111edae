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
  return new SignJWT(payload).setProtectedHeader(header).sign(signer.key);
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
  const { payload } = await jwtVerify(token, (header) => sessionKey(keys, header), {
    algorithms: keys.secret === undefined ? [SIGNING_ALG] : [SIGNING_ALG, 'HS256'],
    typ: TOKEN_TYPES.session,
    currentDate: options.currentDate,
    requiredClaims: options.requiredClaims,
  });
  return payload;
}
