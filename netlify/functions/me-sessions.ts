// GET /api/me/sessions — a page of the user's live sessions, with the proof
// that the caller's own is one of them, together.
// DELETE /api/me/sessions — every other session of the caller's account
// deleted and the revocation recorded, if the caller's is live, at once.
import { listSessions, revokeOtherSessions } from '../../src/auth/sessions/sessions.ts';
import { HttpError } from '../../src/common/errors.ts';
import { meSessions } from '../../src/endpoints/me-sessions.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/me/sessions' };

export default route(config, meSessions, {
  GET: async (req, { url, query }) => {
    const claims = await callerClaims(req);
    const sessions = await listSessions(claims, query);
    if (sessions === undefined) throw new HttpError('unauthenticated');
    return listPage(url, sessions);
  },
  DELETE: async (req, input) => {
    const claims = await callerClaims(req);
    const revoked = await revokeOtherSessions(claims, requesterOf(req, input));
    if (revoked === undefined) throw new HttpError('unauthenticated');
    return json(200, revoked);
  },
});
