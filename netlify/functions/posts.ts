// GET /api/posts — the page and the total together, whatever the page.
// POST /api/posts — authenticate, then the insert.
import { createPost, listPosts } from '../../src/content/posts.ts';
import { posts } from '../../src/endpoints/posts.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/posts' };

export default route(config, posts, {
  GET: async (_req, { url, query }) => listPage(url, await listPosts(query)),
  POST: async (req, { body }) => {
    const caller = await authenticate(req);
    return json(201, { post: await createPost(caller.user, body) });
  },
});
