// GET /api/me/events — a page of the account's events, with the proof that
// the caller's session is live, together.
import { listEvents } from '../../src/auth/events/list.ts';
import { HttpError } from '../../src/common/errors.ts';
import { meEvents } from '../../src/endpoints/me-events.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/me/events' };

export default route(config, meEvents, {
  GET: async (req, { url, query }) => {
    const claims = await callerClaims(req);
    const events = await listEvents(claims, query);
    if (events === undefined) throw new HttpError('unauthenticated');
    return listPage(url, events);
  },
});
