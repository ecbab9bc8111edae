// GET /api/admin/users/{id} — the actor and the user's detail in one statement.
// DELETE /api/admin/users/{id} — the actor, the deletion and the admin trail in one statement.
import { deleteUser } from '../../src/auth/admin/actions.ts';
import { userDetail } from '../../src/auth/admin/users.ts';
import { adminUsersId } from '../../src/endpoints/admin-users-id.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id' };

export default route(config, adminUsersId, {
  GET: first(adminCredential, async (_req, { params }, credential) => json(200, await userDetail(credential, params.id))),
  DELETE: first(adminCredential, async (req, input, credential) => {
    await deleteUser(credential, input.params.id, requesterOf(req, input));
    return noContent();
  }),
});
