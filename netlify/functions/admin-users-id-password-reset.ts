// POST /api/admin/users/{id}/password-reset — the actor, the token and both trails in one statement, then the mail.
import { sendPasswordReset } from '../../src/auth/admin/actions.ts';
import { adminUsersIdPasswordReset } from '../../src/endpoints/admin-users-id-password-reset.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id/password-reset' };

export default route(config, adminUsersIdPasswordReset, {
  POST: first(adminCredential, async (req, input, credential) =>
    json(202, await sendPasswordReset(credential, input.params.id, clientOf(req, input))),
  ),
});
