// DELETE /api/admin/users/{id}/sessions — the actor, the sessions ended and both trails, in one statement.
import { endUserSessions } from '../../src/auth/admin/actions.ts';
import { adminUsersIdSessions } from '../../src/endpoints/admin-users-id-sessions.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id/sessions' };

export default route(config, adminUsersIdSessions, {
  DELETE: first(adminCredential, async (req, input, credential) =>
    json(200, await endUserSessions(credential, input.params.id, requesterOf(req, input))),
  ),
});
