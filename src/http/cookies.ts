// The session cookie, shared by the JSON API and the classic routes:
//   session_id=<token>; HttpOnly; SameSite=Lax; Path=/; Max-Age=<seconds>[; Secure]
// `Secure` except over plain http in local development (netlify dev on
// localhost, where a browser would drop a Secure cookie set over http): a
// deployed site never leaves it out, whatever URL a request claims.
import { now } from '../config/clock.ts';
import { setting } from '../config/settings.ts';

export const SESSION_COOKIE = 'session_id';

/**
 * The browser that started a sign-in at another provider (src/auth/providers):
 * its callback is taken only with this cookie's state, so a callback URL
 * someone else started cannot sign this browser in (login CSRF). SameSite=Lax
 * is sent on the provider's top-level redirect back.
 */
export const FEDERATION_COOKIE = 'federation_state';

function serialize(req: Request, value: string, maxAgeSeconds: number, name = SESSION_COOKIE, path = '/'): string {
  const secure = setting('localDevelopment') && new URL(req.url).protocol === 'http:' ? '' : '; Secure';
  return `${name}=${value}; HttpOnly; SameSite=Lax; Path=${path}; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Lives as long as the session it carries. */
export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  return serialize(req, token, Math.max(0, Math.ceil((expiresAt.getTime() - now().getTime()) / 1000)));
}

export function clearedSessionCookie(req: Request): string {
  return serialize(req, '', 0);
}

/** The sign-in's state, for its callback under /api/auth only; `maxAgeSeconds` 0 clears it. */
export function federationCookie(req: Request, state: string, maxAgeSeconds: number): string {
  return serialize(req, state, maxAgeSeconds, FEDERATION_COOKIE, '/api/auth');
}
