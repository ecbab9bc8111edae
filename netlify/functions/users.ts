// GET /api/users — the page and the total together, whatever the page.
import { users } from '../../src/endpoints/users.ts';
import { listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { listUsers } from '../../src/users/directory.ts';

export const config = { path: '/api/users' };

export default route(config, users, {
  GET: async (_req, { url, query }) => listPage(url, await listUsers(query)),
});
