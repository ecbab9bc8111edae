// GET and DELETE /api/admin/users/{id}, served by netlify/functions/admin-users-id.ts.
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_AUTH, adminUserDetail } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersId = endpoint('/api/admin/users/:id', {
  GET: {
    id: 'adminGetUser',
    tag: 'Admin',
    summary: 'One user: account, profile, second factor, passkeys, live sessions, recent events and admin actions',
    description: `${ADMIN_AUTH} Scope \`users:read\`.`,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [{ status: 200, description: 'The user', body: adminUserDetail }],
    errors: [403, 404],
  },
  DELETE: {
    id: 'adminDeleteUser',
    tag: 'Admin',
    summary: 'Delete a user, their profile, posts and comments, as DELETE /api/me does',
    description: `${ADMIN_AUTH} Scope \`users:write\`. Not one's own account (403). The admin trail keeps the action.`,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Deleted')],
    errors: [403, 404],
  },
});
