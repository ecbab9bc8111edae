// POST /sessions — at most 2 SQL statements, as POST /api/login (the user with
// the attempt counted; for the right password, the session INSERT with the
// attempt released); 1 for a 401 or 429; 0 for a password over the maximum
// length or a form posted from another origin (403, login CSRF).
// An account with a second factor cannot log in here (no second step): 401
// after the right password, 2 statements (the challenge is opened and left unused).
// DELETE /sessions — 1 SQL statement (delete the caller's session).
import { emailLoginSchema } from '../../src/auth/login/bodies.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { parse } from '../../src/common/validate.ts';
import { classicSessions } from '../../src/endpoints/classic-sessions.ts';
import { readBody } from '../../src/http/body.ts';
import { assertSameOriginLogin, endCallerSession } from '../../src/http/caller.ts';
import { restate } from '../../src/http/classic.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie, sessionCookie } from '../../src/http/cookies.ts';
import { json, redirect } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/sessions' };

export default route(config, classicSessions, {
  POST: async (req, ctx) => {
    assertSameOriginLogin(req);
    const by = requesterOf(req, ctx);
    const { user, session } = await checkLogin(parse(emailLoginSchema, await readBody(req)), by.ip, by.userAgent).catch(
      restate({
        mfa_required: { status: 401, message: 'This account has a second factor: log in with POST /api/login, then POST /api/login/mfa.' },
      }),
    );
    return json(200, { email: user.email, message: 'logged in' }, { 'Set-Cookie': sessionCookie(req, session.token, session.expiresAt) });
  },
  DELETE: async (req, ctx) => {
    await endCallerSession(req, requesterOf(req, ctx)).catch(restate({ unauthenticated: { status: 403 } }));
    return redirect('/', { 'Set-Cookie': clearedSessionCookie(req) });
  },
});
