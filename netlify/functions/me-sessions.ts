// GET /api/me/sessions — 1 SQL statement (the user's live sessions, which must
// include the caller's own).
// DELETE /api/me/sessions — 1 SQL statement (every other session of the
// caller's account deleted and the revocation recorded, if the caller's is live).
import { listSessions, revokeOtherSessions } from '../../src/auth/sessions/sessions.ts';
import { HttpError } from '../../src/common/errors.ts';
import { meSessions } from '../../src/endpoints/me-sessions.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

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
        lastSeenAt: s.last_seen_at.toISOString(),
        userAgent: s.user_agent,
        ip: s.ip,
        current: s.id === claims.sessionId,
      })),
    });
  },
  DELETE: async (req, ctx) => {
    const claims = await callerClaims(req);
    const revoked = await revokeOtherSessions(claims, requesterOf(req, ctx));
    if (revoked === undefined) throw new HttpError('unauthenticated');
    return json(200, revoked);
  },
});
