// GET /api/posts/{id}/comments — the post check, the page and the total
// together, whatever the page size.
// POST /api/posts/{id}/comments — authenticate; then the insert if the post exists.
import { addComment, listComments } from '../../src/content/comments.ts';
import { postsIdComments } from '../../src/endpoints/posts-id-comments.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/posts/:id/comments' };

export default route(config, postsIdComments, {
  GET: async (_req, { params, url, query }) => listPage(url, await listComments(params.id, query)),
  POST: async (req, { params, body }) => {
    const caller = await authenticate(req);
    return json(201, { comment: await addComment(caller.user, params.id, body) });
  },
});
