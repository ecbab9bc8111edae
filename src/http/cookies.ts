// The session cookie, shared by the JSON API and the classic routes:
//   session_id=<token>; HttpOnly; SameSite=Lax; Path=/; Max-Age=<seconds>[; Secure]
// `Secure` except over plain http in local development (netlify dev on
// localhost, where a browser would drop a Secure cookie set over http): a
// deployed site never leaves it out, whatever URL a request claims.
import { now } from '../config/clock.ts';
import { setting } from '../config/settings.ts';

export const SESSION_COOKIE = 'session_id';

function serialize(req: Request, value: string, maxAgeSeconds: number): string {
  const secure = setting('localDevelopment') && new URL(req.url).protocol === 'http:' ? '' : '; Secure';
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Lives as long as the session it carries. */
export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  return serialize(req, token, Math.max(0, Math.ceil((expiresAt.getTime() - now().getTime()) / 1000)));
}

export function clearedSessionCookie(req: Request): string {
  return serialize(req, '', 0);
}
