// DELETE /api/me/sessions/{id} — 2 SQL statements (authenticate; delete the
// session if it is the caller's, recording the revocation).
import { destroySession } from '../../src/auth/sessions/sessions.ts';
import { meSession } from '../../src/endpoints/me-session.ts';
import { authenticate } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie } from '../../src/http/cookies.ts';
import { parseId } from '../../src/http/params.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { HttpError } from '../../src/common/errors.ts';

export const config = { path: '/api/me/sessions/:id' };

export default route(config, meSession, {
  DELETE: async (req, ctx) => {
    const caller = await authenticate(req);
    const id = parseId(ctx.params.id);
    // Another user's session is "not found" too: its existence is none of the caller's business.
    if (!(await destroySession(id, caller.user.id, { kind: 'session_revoked', by: requesterOf(req, ctx) })))
      throw new HttpError('not_found', 'You have no session with that id.');
    return noContent(id === caller.sessionId ? { 'Set-Cookie': clearedSessionCookie(req) } : undefined);
  },
});
