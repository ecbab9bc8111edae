// POST /api/logout — 1 SQL statement (delete the caller's session; none deleted is 401).
import { clearedSessionCookie } from '../../src/auth/cookie.ts';
import { endCallerSession } from '../../src/auth/request.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/logout' };

export default route(config.path, {
  POST: async (req) => {
    await endCallerSession(req);
    return noContent({ 'Set-Cookie': clearedSessionCookie(req) });
  },
});
