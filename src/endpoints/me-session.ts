// DELETE /api/me/sessions/{id}, served by netlify/functions/me-session.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meSession = endpoint('/api/me/sessions/:id', {
  DELETE: {
    id: 'deleteSession',
    tag: 'Accounts',
    summary: "Revoke one of the caller's sessions",
    statements: 2,
    description: "Another user's session is a 404. Revoking the current session also clears the cookie.",
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Revoked', ['Set-Cookie'])],
    errors: [404],
  },
});
