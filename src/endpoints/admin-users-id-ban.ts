// POST and DELETE /api/admin/users/{id}/ban, served by netlify/functions/admin-users-id-ban.ts.
import { banSchema } from '../auth/admin/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_AUTH, revokedSessions } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdBan = endpoint('/api/admin/users/:id/ban', {
  POST: {
    id: 'adminBanUser',
    tag: 'Admin',
    summary: 'Ban a user: every session ends at once; a login is then 403 account_banned (on the classic routes too)',
    description: `${ADMIN_AUTH} Scope \`users:write\`. Not one's own account (403). Banning again replaces the reason and the end.`,
    statements: 1,
    auth: true,
    params: r.idParam,
    body: banSchema,
    answers: [{ status: 200, description: 'Banned', body: revokedSessions }],
    errors: [403, 404],
  },
  DELETE: {
    id: 'adminUnbanUser',
    tag: 'Admin',
    summary: 'Lift a ban',
    description: `${ADMIN_AUTH} Scope \`users:write\`.`,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Not banned (any more)')],
    errors: [403, 404],
  },
});
