// PUT /api/admin/users/{id}/role, served by netlify/functions/admin-users-id-role.ts.
import { roleSchema } from '../auth/admin/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import { KEYS_AUTH } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdRole = endpoint('/api/admin/users/:id/role', {
  PUT: {
    id: 'adminSetRole',
    tag: 'Admin',
    summary: 'Grant or revoke the admin role',
    description: `${KEYS_AUTH} Never one's own role (403).`,
    statements: 1,
    auth: true,
    params: r.idParam,
    body: roleSchema,
    answers: [r.noContent('The account has the role')],
    errors: [403, 404],
  },
});
