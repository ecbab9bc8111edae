// PUT /api/admin/users/{id}/role — the actor, the role and both trails, in one statement.
import { setRole } from '../../src/auth/admin/actions.ts';
import { adminUsersIdRole } from '../../src/endpoints/admin-users-id-role.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id/role' };

export default route(config, adminUsersIdRole, {
  PUT: first(adminCredential, async (req, input, credential) => {
    await setRole(credential, input.params.id, input.body.role, requesterOf(req, input));
    return noContent();
  }),
});
