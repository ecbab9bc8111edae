// DELETE /api/me/sessions/{id} — authenticate; then the session deleted if it
// is the caller's, the revocation recorded. The caller is authenticated before
// the id is read.
import { destroySession } from '../../src/auth/sessions/sessions.ts';
import { HttpError } from '../../src/common/errors.ts';
import { meSession } from '../../src/endpoints/me-session.ts';
import { authenticate } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie } from '../../src/http/cookies.ts';
import { noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/sessions/:id' };

export default route(config, meSession, {
  DELETE: first(
    (req) => authenticate(req),
    async (req, input, caller) => {
      const { id } = input.params;
      // Another user's session is "not found" too: its existence is none of the caller's business.
      if (!(await destroySession(id, caller.user.id, { kind: 'session_revoked', by: requesterOf(req, input) })))
        throw new HttpError('not_found', 'You have no session with that id.');
      return noContent(id === caller.sessionId ? { 'Set-Cookie': clearedSessionCookie(req) } : undefined);
    },
  ),
});
