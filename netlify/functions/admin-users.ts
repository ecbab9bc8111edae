// GET /api/admin/users — the actor and the page of users in one statement.
import { searchUsers } from '../../src/auth/admin/users.ts';
import { adminUsers } from '../../src/endpoints/admin-users.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { listPage } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users' };

export default route(config, adminUsers, {
  GET: first(adminCredential, async (_req, { url, query: { q, role, state, ...pagination } }, credential) =>
    listPage(url, await searchUsers(credential, { q, role, state }, pagination)),
  ),
});
