// POST /sessions — as POST /api/login: the user with the attempt counted;
// for the right password, the session INSERT with the attempt released. Only
// the first for a 401 or 429; none for a password over the maximum length or a
// form posted from another origin (403, login CSRF).
// An account with a second factor cannot log in here (no second step): 401
// after the right password, both statements run (the challenge is opened and left unused).
// DELETE /sessions — the caller's session deleted.
import { checkLogin } from '../../src/auth/login/login.ts';
import { classicSessions } from '../../src/endpoints/classic-sessions.ts';
import { assertSameOriginLogin, endCallerSession } from '../../src/http/caller.ts';
import { restate } from '../../src/http/classic.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie, sessionCookie } from '../../src/http/cookies.ts';
import { json, redirect } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/sessions' };

export default route(config, classicSessions, {
  POST: first(assertSameOriginLogin, async (req, input) => {
    const by = requesterOf(req, input);
    const { user, session } = await checkLogin(input.body, by.ip, by.userAgent).catch(
      restate({
        mfa_required: { status: 401, message: 'This account has a second factor: log in with POST /api/login, then POST /api/login/mfa.' },
      }),
    );
    return json(200, { email: user.email, message: 'logged in' }, { 'Set-Cookie': sessionCookie(req, session.token, session.expiresAt) });
  }),
  DELETE: async (req, input) => {
    await endCallerSession(req, requesterOf(req, input)).catch(restate({ unauthenticated: { status: 403 } }));
    return redirect('/', { 'Set-Cookie': clearedSessionCookie(req) });
  },
});
