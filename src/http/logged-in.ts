// The 200 of a login, shared by its two steps (POST /api/login and, for an
// account with a second factor, POST /api/login/mfa): the token in the body and,
// but for a page of an origin trusted for CORS, in the session cookie.
import type { NewSession } from '../auth/sessions/sessions.ts';
import { presentUser, type UserFields } from '../users/present.ts';
import { sessionCookie } from './cookies.ts';
import { fromTrustedOrigin } from './cors.ts';
import { json } from './respond.ts';

export function loggedIn(req: Request, { user, session }: { user: UserFields; session: NewSession }): Response {
  return json(
    200,
    {
      token: session.token,
      tokenType: 'Bearer',
      expiresAt: session.expiresAt.toISOString(),
      user: presentUser(user, { withEmail: true }),
    },
    // A page of a trusted origin keeps the token itself: never a cookie across origins (cors.ts).
    fromTrustedOrigin(req) ? undefined : { 'Set-Cookie': sessionCookie(req, session.token, session.expiresAt) },
  );
}
