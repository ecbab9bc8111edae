// Session tokens: HS256 JWTs naming the user (sub) and the session row (sid).
// The signature proves we issued it; the session row decides if it still counts.
import { jwtVerify, SignJWT } from 'jose';
import { ID_PATTERN } from '../../common/ids.ts';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';

let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

/**
 * The HS256 key, imported once per secret (given raw bytes, jose would import
 * them again on every sign and verify).
 */
function jwtKey(): Promise<CryptoKey> {
  const secret = setting('jwtSecret');
  if (imported?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    imported = { secret, key };
  }
  return imported.key;
}

export interface TokenClaims {
  userId: number;
  sessionId: number;
}

export async function signSessionToken(claims: TokenClaims, issuedAt: Date, expiresAt: Date): Promise<string> {
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(await jwtKey());
}

/**
 * Tokens this process has verified, with their claims: a signature (WebCrypto
 * HMAC, the largest part of an authenticated read's own work) is checked once
 * per process, expiry on every use, the session row by every request's SQL.
 * Bound to the key it was verified with; the oldest entry goes first when full.
 */
let verified: { key: CryptoKey; tokens: Map<string, TokenClaims & { exp: number }> } | undefined;
const VERIFIED_MAX = 1_000;

/**
 * Three segments, each the one base64url encoding of its bytes: jose decodes
 * leniently (padding, stray bits), so `<token>=` or a last character with other
 * unused bits would verify as the same token. Only the form we issue counts.
 */
function isCanonical(token: string): boolean {
  const segments = token.split('.');
  return segments.length === 3 && segments.every((segment) => segment !== '' && Buffer.from(segment, 'base64url').toString('base64url') === segment);
}

/** The claims of a valid, unexpired token we signed, in the exact form we issued it; undefined for anything else. */
export async function verifySessionToken(token: string): Promise<TokenClaims | undefined> {
  if (token.length > 2048) return undefined;
  try {
    const key = await jwtKey();
    if (verified?.key !== key) verified = { key, tokens: new Map() };
    const at = now();
    // Only canonical tokens enter the cache, so a known one needs no form check either.
    const known = verified.tokens.get(token);
    // jose's own rule: expired once `exp` is not after the current second.
    if (known !== undefined) return known.exp > Math.floor(at.getTime() / 1000) ? { userId: known.userId, sessionId: known.sessionId } : undefined;
    if (!isCanonical(token)) return undefined;
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      currentDate: at,
      requiredClaims: ['sub', 'sid', 'iat', 'exp'],
    });
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
