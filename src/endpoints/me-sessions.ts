// GET and DELETE /api/me/sessions, served by netlify/functions/me-sessions.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meSessions = endpoint('/api/me/sessions', {
  GET: {
    id: 'listSessions',
    tag: 'Accounts',
    summary: "The caller's live sessions",
    statements: 1,
    auth: true,
    description: 'Each with where it was opened (user agent, address) and when it was last used (`lastSeenAt`, updated at most once an hour).',
    answers: [{ status: 200, description: 'The sessions', body: r.sessionList }],
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
