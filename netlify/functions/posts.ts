// GET /api/posts — 1 SQL statement (page and total together), whatever the page.
// POST /api/posts — 2 SQL statements (authenticate, insert).
import { createPost, listPosts } from '../../src/content/posts.ts';
import { newPostSchema } from '../../src/content/rules.ts';
import { posts } from '../../src/endpoints/posts.ts';
import { readBody } from '../../src/http/body.ts';
import { authenticate } from '../../src/http/caller.ts';
import { parsePagination } from '../../src/http/params.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/posts' };

export default route(config, posts, {
  GET: async (req) => {
    const url = new URL(req.url);
    return listPage(url, await listPosts(parsePagination(url)));
  },
  POST: async (req) => {
    const input = parse(newPostSchema, await readBody(req));
    const caller = await authenticate(req);
    return json(201, { post: await createPost(caller.user, input) });
  },
});
