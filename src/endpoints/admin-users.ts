// GET /api/admin/users, served by netlify/functions/admin-users.ts.
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_AUTH, adminUserPage, userSearchQuery } from './admin-responses.ts';

export const adminUsers = endpoint('/api/admin/users', {
  GET: {
    id: 'adminSearchUsers',
    tag: 'Admin',
    summary: 'Search users by e-mail or username prefix, role and state, by id',
    description: `${ADMIN_AUTH} Scope \`users:read\`. Paged by \`cursor\` (or \`page\`), without a total.`,
    statements: 1,
    auth: true,
    query: userSearchQuery,
    answers: [{ status: 200, description: 'A page of users', body: adminUserPage, headers: ['Link'] }],
    errors: [403],
  },
});
