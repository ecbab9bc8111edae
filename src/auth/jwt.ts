// Session tokens: HS256 JWTs naming the user (sub) and the session row (sid).
// The signature proves we issued it; the session row decides if it still counts.
import { jwtVerify, SignJWT } from 'jose';
import { now } from '../config/clock.ts';
import { jwtKey } from './settings.ts';

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
    .sign(jwtKey());
}

const ID = /^[1-9]\d{0,15}$/;

/** The claims of a valid, unexpired token we signed; undefined for anything else. */
export async function verifySessionToken(token: string): Promise<TokenClaims | undefined> {
  if (token.length > 2048) return undefined;
  try {
    const { payload } = await jwtVerify(token, jwtKey(), {
      algorithms: ['HS256'],
      currentDate: now(),
      requiredClaims: ['sub', 'sid', 'iat', 'exp'],
    });
    const { sub, sid } = payload;
    if (typeof sub !== 'string' || !ID.test(sub) || typeof sid !== 'number' || !Number.isSafeInteger(sid) || sid < 1) {
      return undefined;
    }
    const userId = Number(sub);
    return Number.isSafeInteger(userId) ? { userId, sessionId: sid } : undefined;
  } catch {
    return undefined;
  }
}
