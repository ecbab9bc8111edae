// GET /api/posts/{id} — the post.
// PATCH /api/posts/{id} — authenticate; then the authorship check and the update in one.
// DELETE /api/posts/{id} — authenticate; then the authorship check and the delete in one.
import { deletePost, getPost, updatePost } from '../../src/content/posts.ts';
import { postsId } from '../../src/endpoints/posts-id.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/posts/:id' };

export default route(config, postsId, {
  GET: async (_req, { params }) => json(200, { post: await getPost(params.id) }),
  PATCH: async (req, { params, body }) => {
    const caller = await authenticate(req);
    return json(200, { post: await updatePost(caller.user, params.id, body) });
  },
  DELETE: async (req, { params }) => {
    const caller = await authenticate(req);
    await deletePost(caller.user, params.id);
    return noContent();
  },
});
