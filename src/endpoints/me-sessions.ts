// GET and DELETE /api/me/sessions, served by netlify/functions/me-sessions.ts.
import { paginationSchema } from '../common/pagination.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meSessions = endpoint('/api/me/sessions', {
  GET: {
    id: 'listSessions',
    tag: 'Accounts',
    summary: "The caller's live sessions, newest first",
    description:
      'Each with where it was opened (user agent, address), how (`amr`, `aal`: `aal2` when a code of the second factor was given) ' +
      'and when it was last used (`lastSeenAt`, updated at most once an hour). ' +
      r.PAGINATED.replace(' and the real total', ''),
    statements: 1,
    auth: true,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of the sessions', body: r.sessionList, headers: ['Link'] }],
  },
  DELETE: {
    id: 'revokeOtherSessions',
    tag: 'Accounts',
    summary: 'Sign out everywhere else: revoke every session but the current one',
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'Revoked', body: r.sessionsRevoked }],
  },
});
