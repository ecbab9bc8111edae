// GET /api/me/sessions — 1 SQL statement (a page of the user's live sessions,
// with the proof that the caller's own is one of them).
import { listSessions } from '../../src/auth/sessions/sessions.ts';
import { meSessions } from '../../src/endpoints/me-sessions.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { parsePagination } from '../../src/http/params.ts';
import { listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { HttpError } from '../../src/common/errors.ts';

export const config = { path: '/api/me/sessions' };

export default route(config, meSessions, {
  GET: async (req) => {
    const url = new URL(req.url);
    const pagination = parsePagination(url);
    const claims = await callerClaims(req);
    const sessions = await listSessions(claims, pagination);
    if (sessions === undefined) throw new HttpError('unauthenticated');
    return listPage(url, sessions);
  },
});
