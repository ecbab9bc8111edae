// POST /api/logout — the caller's session deleted and the logout recorded at
// once; none deleted is 401.
import { logout } from '../../src/endpoints/logout.ts';
import { endCallerSession } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie } from '../../src/http/cookies.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/logout' };

export default route(config, logout, {
  POST: async (req, ctx) => {
    await endCallerSession(req, requesterOf(req, ctx));
    return noContent({ 'Set-Cookie': clearedSessionCookie(req) });
  },
});
