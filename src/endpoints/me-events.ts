// GET /api/me/events, served by netlify/functions/me-events.ts.
import { paginationSchema } from '../common/pagination.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meEvents = endpoint('/api/me/events', {
  GET: {
    id: 'listEvents',
    tag: 'Accounts',
    summary: "The caller's security events, newest first",
    statements: 1,
    description:
      'Logins (failed ones with their reason), logouts, revocations, password and e-mail changes, reset requests, confirmation, the second factor turned on or off, a recovery code used, a refused code. ' +
      r.PAGINATED.replace(' and the real total', '') +
      ' Kept 90 days unless configured otherwise (AUDIT_EVENTS_RETENTION).',
    auth: true,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of events', body: r.eventPage, headers: ['Link'] }],
  },
});
