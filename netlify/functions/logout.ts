// POST /api/logout — 1 SQL statement (delete the caller's session; none deleted is 401).
import { clearedSessionCookie } from '../../src/auth/cookie.ts';
import { callerClaims } from '../../src/auth/request.ts';
import { destroySession } from '../../src/auth/sessions.ts';
import { unauthenticated } from '../../src/http/errors.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/logout' };

export default route(config.path, {
  POST: async (req) => {
    const claims = await callerClaims(req);
    if (!(await destroySession(claims.sessionId, claims.userId))) throw unauthenticated();
    return noContent({ 'Set-Cookie': clearedSessionCookie(req) });
  },
});
