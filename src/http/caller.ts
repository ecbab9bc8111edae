// Who is calling: the token from `Authorization: Bearer` or the `session_id`
// cookie, checked against its session row.
import { destroySession, findSessionUser, type SessionUser, type SessionUserWithProfile } from '../auth/sessions/sessions.ts';
import { verifySessionToken, type TokenClaims } from '../auth/sessions/tokens.ts';
import { SERVICE_KEY_PREFIX, type AdminCredential } from '../auth/admin/actor.ts';
import { HttpError } from '../common/errors.ts';
import type { Requester } from '../auth/base/requester.ts';
import { noteAccount } from '../log/log.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { fromTrustedOrigin } from './cors.ts';

export type TokenSource = 'bearer' | 'cookie';

export function tokenFromRequest(req: Request): { token: string; via: TokenSource } | undefined {
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(authorization);
    return match ? { token: match[1]!, via: 'bearer' } : undefined;
  }
  const token = readCookie(req, SESSION_COOKIE);
  return token ? { token, via: 'cookie' } : undefined;
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends cookies with cross-site requests; a state-changing request
 * authenticated by cookie must come from our own origin. Bearer tokens are
 * never sent implicitly, so they are exempt. Logins, which set the cookie,
 * are held to the same rule (login CSRF: a foreign page must not log a
 * visitor into the attacker's account). A client that sends neither header
 * (curl, a server) is no browser acting for someone else, and passes.
 */
export function assertSameOrigin(req: Request, message = 'Cross-origin requests may not use the session cookie.'): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (crossOrigin(req)) throw new HttpError('forbidden', message);
}

function crossOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (origin !== null) return origin !== new URL(req.url).origin;
  return req.headers.get('sec-fetch-site') === 'cross-site';
}

/** Login CSRF: see assertSameOrigin. */
export const assertSameOriginLogin = (req: Request) => assertSameOrigin(req, 'Cross-origin logins are refused.');

/**
 * The JSON API's logins: as assertSameOriginLogin, but a page of an origin
 * trusted for CORS may log in. It gets the token and no cookie (loggedIn), so
 * there is nothing for a login CSRF to plant in the browser.
 */
export const assertLoginOrigin = (req: Request) => {
  if (!fromTrustedOrigin(req)) assertSameOriginLogin(req);
};

export interface Caller extends SessionUser {
  via: TokenSource;
}

/** The token the caller presents, or 401; a cookie-authenticated change from another origin is 403. */
function presentedToken(req: Request): { token: string; via: TokenSource } {
  const found = tokenFromRequest(req);
  if (found === undefined) throw new HttpError('unauthenticated');
  if (found.via === 'cookie') assertSameOrigin(req);
  return found;
}

/**
 * The verified claims of the caller's token, without a statement: for
 * operations that check the session row inside their own single statement.
 */
export async function callerClaims(req: Request): Promise<TokenClaims & { via: TokenSource }> {
  const found = presentedToken(req);
  const claims = await verifySessionToken(found.token);
  if (claims === undefined) throw new HttpError('unauthenticated');
  noteAccount(claims.userId);
  return { ...claims, via: found.via };
}

/**
 * The verified claims of the caller's token, or undefined without a valid
 * one, without a statement: for operations open to anyone that spare the
 * caller's own session. A cookie on a change from another origin counts as none.
 */
export async function optionalCallerClaims(req: Request): Promise<TokenClaims | undefined> {
  const found = tokenFromRequest(req);
  if (found === undefined) return undefined;
  if (found.via === 'cookie' && !SAFE_METHODS.has(req.method) && crossOrigin(req)) return undefined;
  return verifySessionToken(found.token);
}

/** The authenticated caller (1 statement), or 401; cookie calls from another origin get 403. */
export async function authenticate(req: Request): Promise<Caller>;
export async function authenticate(req: Request, options: { withProfile: true }): Promise<Caller & SessionUserWithProfile>;
export async function authenticate(req: Request, options: { withProfile?: boolean } = {}): Promise<Caller> {
  const found = presentedToken(req);
  const session = options.withProfile ? await findSessionUser(found.token, { withProfile: true }) : await findSessionUser(found.token);
  if (session === undefined) throw new HttpError('unauthenticated');
  noteAccount(session.user.id);
  return { ...session, via: found.via };
}

/** Log the caller out: 1 statement deletes their session and records the logout; none to delete is 401. */
export async function endCallerSession(req: Request, by: Requester): Promise<void> {
  const claims = await callerClaims(req);
  if (!(await destroySession(claims.sessionId, claims.userId, { kind: 'logout', by }))) throw new HttpError('unauthenticated');
}

/**
 * The admin routes' caller, without a statement: a service key (`sk_…`, only
 * as a Bearer token) or a session token's verified claims; the route's one
 * statement then finds the actor (src/auth/admin/actor.ts). A service key is
 * no JWT, so every user route refuses it (401), and a session token never
 * matches a key's hash.
 */
export async function adminCredential(req: Request): Promise<AdminCredential> {
  const found = presentedToken(req);
  if (found.token.startsWith(SERVICE_KEY_PREFIX)) {
    if (found.via !== 'bearer') throw new HttpError('unauthenticated');
    return { kind: 'key', key: found.token };
  }
  const claims = await verifySessionToken(found.token);
  if (claims === undefined) throw new HttpError('unauthenticated');
  noteAccount(claims.userId);
  return { kind: 'session', claims };
}
