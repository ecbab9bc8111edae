// GET /api/me/sessions, served by netlify/functions/me-sessions.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meSessions = endpoint('/api/me/sessions', {
  GET: {
    id: 'listSessions',
    tag: 'Accounts',
    summary: "The caller's live sessions",
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The sessions', body: r.sessionList }],
  },
});
