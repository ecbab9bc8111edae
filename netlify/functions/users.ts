// GET /api/users — 1 SQL statement (page and total together), whatever the page.
import { users } from '../../src/endpoints/users.ts';
import { parsePagination } from '../../src/http/params.ts';
import { listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { listUsers } from '../../src/users/directory.ts';

export const config = { path: '/api/users' };

export default route(config, users, {
  GET: async (req) => {
    const url = new URL(req.url);
    return listPage(url, await listUsers(parsePagination(url)));
  },
});
