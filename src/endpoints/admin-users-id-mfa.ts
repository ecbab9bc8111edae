// DELETE /api/admin/users/{id}/mfa, served by netlify/functions/admin-users-id-mfa.ts.
import { adminStepUpSchema } from '../auth/admin/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_STEP_UP, revokedSessions } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdMfa = endpoint('/api/admin/users/:id/mfa', {
  DELETE: {
    id: 'adminRemoveUserMfa',
    tag: 'Admin',
    summary: "Remove a user's second factor (authenticator app and recovery codes), for one who lost their phone",
    description: `${ADMIN_STEP_UP} 404 when the user has no second factor enabled.`,
    statements: 2,
    auth: true,
    params: r.idParam,
    body: adminStepUpSchema,
    answers: [{ status: 200, description: 'Removed; every session of the user ended', body: revokedSessions }],
    errors: [403, 404, 429],
  },
});
