// GET /api/me/session — the caller's session row, read by the statement that
// authenticates the request.
import { assuranceLevel } from '../../src/auth/sessions/sessions.ts';
import { meCurrentSession } from '../../src/endpoints/me-current-session.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/me/session' };

export default route(config, meCurrentSession, {
  GET: async (req) => {
    const { sessionId, sessionExpiresAt, session } = await authenticate(req);
    return json(200, {
      session: {
        id: sessionId,
        createdAt: session.createdAt.toISOString(),
        expiresAt: sessionExpiresAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
        amr: session.amr,
        aal: assuranceLevel(session.amr),
      },
    });
  },
});
