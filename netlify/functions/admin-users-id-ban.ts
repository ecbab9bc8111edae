// POST /api/admin/users/{id}/ban — the actor, the ban, its sessions ended and both trails, in one statement.
// DELETE /api/admin/users/{id}/ban — the same for lifting it.
import { banUser, unbanUser } from '../../src/auth/admin/actions.ts';
import { adminUsersIdBan } from '../../src/endpoints/admin-users-id-ban.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id/ban' };

export default route(config, adminUsersIdBan, {
  POST: first(adminCredential, async (req, input, credential) =>
    json(
      200,
      await banUser(credential, input.params.id, { reason: input.body.reason, until: input.body.until ?? null }, requesterOf(req, input)),
    ),
  ),
  DELETE: first(adminCredential, async (req, input, credential) => {
    await unbanUser(credential, input.params.id, requesterOf(req, input));
    return noContent();
  }),
});
