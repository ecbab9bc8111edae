// DELETE /api/admin/users/{id}/passkeys, served by netlify/functions/admin-users-id-passkeys.ts.
import { passkeysRemovalSchema } from '../auth/admin/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import { ADMIN_STEP_UP, removedPasskeys } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminUsersIdPasskeys = endpoint('/api/admin/users/:id/passkeys', {
  DELETE: {
    id: 'adminRemoveUserPasskeys',
    tag: 'Admin',
    summary: "Remove a user's passkeys, every one or one (`passkeyId`), for one who lost a device",
    description: `${ADMIN_STEP_UP} 404 when the user has no passkey (of that id).`,
    statements: 2,
    auth: true,
    params: r.idParam,
    body: passkeysRemovalSchema,
    answers: [{ status: 200, description: 'Removed; every session of the user ended', body: removedPasskeys }],
    errors: [403, 404, 429],
  },
});
