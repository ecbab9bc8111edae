// POST /api/admin/users/{id}/password-reset, served by netlify/functions/admin-users-id-password-reset.ts.
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_AUTH, resetSent } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdPasswordReset = endpoint('/api/admin/users/:id/password-reset', {
  POST: {
    id: 'adminSendPasswordReset',
    tag: 'Admin',
    summary: 'E-mail the user a password reset link (never to the admin)',
    description: `${ADMIN_AUTH} Scope \`users:write\`. \`sent\` is false where no mail provider is configured (local development).`,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [{ status: 202, description: 'Sent, or going out after the answer', body: resetSent }],
    errors: [403, 404],
  },
});
