// Session tokens: JWTs naming the user (sub) and the session row (sid), signed
// with the session key derived from the current one (src/signing). The
// signature proves we issued it; the session row decides if it still counts.
import { ID_PATTERN } from '../../common/ids.ts';
import { now } from '../../config/clock.ts';
import { currentKeys } from '../../signing/current.ts';
import { signJwt, verifySessionJwt } from '../../signing/jwt.ts';
import type { KeySet } from '../../signing/keys.ts';

export interface TokenClaims {
  userId: number;
  sessionId: number;
}

export async function signSessionToken(claims: TokenClaims, issuedAt: Date, expiresAt: Date): Promise<string> {
  return signJwt(await currentKeys(), 'session', {
    sub: String(claims.userId),
    sid: claims.sessionId,
    iat: Math.floor(issuedAt.getTime() / 1000),
    exp: Math.floor(expiresAt.getTime() / 1000),
  });
}

/**
 * Tokens this process has verified, with their claims: a signature (WebCrypto
 * HMAC, or ECDSA for older tokens: the largest part of an authenticated read's own work) is
 * checked once per process, expiry on every use, the session row by every
 * request's SQL. Bound to the key set it was verified with; the oldest entry
 * goes first when full.
 */
let verified: { keys: KeySet; tokens: Map<string, TokenClaims & { exp: number }> } | undefined;
const VERIFIED_MAX = 1_000;

/**
 * Three segments, each the one base64url encoding of its bytes: jose decodes
 * leniently (padding, stray bits), so `<token>=` or a last character with other
 * unused bits would verify as the same token. Only the form we issue counts.
 */
function isCanonical(token: string): boolean {
  const segments = token.split('.');
  return (
    segments.length === 3 &&
    segments.every((segment) => segment !== '' && Buffer.from(segment, 'base64url').toString('base64url') === segment)
  );
}

/** The claims of a valid, unexpired token we signed, in the exact form we issued it; undefined for anything else. */
export async function verifySessionToken(token: string): Promise<TokenClaims | undefined> {
  if (token.length > 2048) return undefined;
  // A configuration error is the operator's to see (500 and a log line), not a 401.
  const keys = await currentKeys();
  try {
    if (verified?.keys !== keys) verified = { keys, tokens: new Map() };
    const at = now();
    // Only canonical tokens enter the cache, so a known one needs no form check either.
    const known = verified.tokens.get(token);
    // jose's own rule: expired once `exp` is not after the current second.
    if (known !== undefined)
      return known.exp > Math.floor(at.getTime() / 1000) ? { userId: known.userId, sessionId: known.sessionId } : undefined;
    if (!isCanonical(token)) return undefined;
    const payload = await verifySessionJwt(keys, token, { currentDate: at, requiredClaims: ['sub', 'sid', 'iat', 'exp'] });
    const { sub, sid, exp } = payload;
    if (typeof sub !== 'string' || !ID_PATTERN.test(sub) || typeof sid !== 'number' || !Number.isSafeInteger(sid) || sid < 1) {
      return undefined;
    }
    const userId = Number(sub);
    if (!Number.isSafeInteger(userId)) return undefined;
    if (verified.tokens.size >= VERIFIED_MAX) verified.tokens.delete(verified.tokens.keys().next().value!);
    verified.tokens.set(token, { userId, sessionId: sid, exp: exp! });
    return { userId, sessionId: sid };
  } catch {
    return undefined;
  }
}
