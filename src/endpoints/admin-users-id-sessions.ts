// DELETE /api/admin/users/{id}/sessions, served by netlify/functions/admin-users-id-sessions.ts.
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_AUTH, revokedSessions } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdSessions = endpoint('/api/admin/users/:id/sessions', {
  DELETE: {
    id: 'adminEndUserSessions',
    tag: 'Admin',
    summary: 'End every session of a user',
    description: `${ADMIN_AUTH} Scope \`users:write\`.`,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [{ status: 200, description: 'Ended', body: revokedSessions }],
    errors: [403, 404],
  },
});
