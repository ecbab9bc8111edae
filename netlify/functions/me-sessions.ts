// GET /api/me/sessions — 1 SQL statement (the user's live sessions, which must
// include the caller's own).
import { listSessions } from '../../src/auth/sessions/sessions.ts';
import { meSessions } from '../../src/endpoints/me-sessions.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { HttpError } from '../../src/common/errors.ts';

export const config = { path: '/api/me/sessions' };

export default route(config, meSessions, {
  GET: async (req) => {
    const claims = await callerClaims(req);
    const sessions = await listSessions(claims);
    if (sessions === undefined) throw new HttpError('unauthenticated');
    return json(200, {
      items: sessions.map((s) => ({
        id: s.id,
        createdAt: s.created_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        current: s.id === claims.sessionId,
      })),
    });
  },
});
