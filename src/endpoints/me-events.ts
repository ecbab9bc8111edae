// GET /api/me/events, served by netlify/functions/me-events.ts.
import { cursorPageSchema } from '../common/pagination.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meEvents = endpoint('/api/me/events', {
  GET: {
    id: 'listEvents',
    tag: 'Accounts',
    summary: "The caller's security events, newest first",
    statements: 1,
    description:
      'Logins (failed ones with their reason), logouts, revocations, password and e-mail changes, reset requests, confirmation. ' +
      'Paged by cursor: `nextCursor` (also a `Link: rel="next"` header) is null on the last page. Kept 90 days unless configured otherwise.',
    auth: true,
    query: cursorPageSchema,
    answers: [{ status: 200, description: 'A page of events', body: r.eventPage }],
  },
});
