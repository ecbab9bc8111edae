// GET /api/posts/{id} — 1 SQL statement.
// PATCH /api/posts/{id} — 2 SQL statements (authenticate; authorship check and update in one).
// DELETE /api/posts/{id} — 2 SQL statements (authenticate; authorship check and delete in one).
import { deletePost, getPost, updatePost } from '../../src/content/posts.ts';
import { postPatchSchema } from '../../src/content/rules.ts';
import { postsId } from '../../src/endpoints/posts-id.ts';
import { readBody } from '../../src/http/body.ts';
import { authenticate } from '../../src/http/caller.ts';
import { parseId } from '../../src/http/params.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/posts/:id' };

export default route(config, postsId, {
  GET: async (_req, { params }) => json(200, { post: await getPost(parseId(params.id)) }),
  PATCH: async (req, { params }) => {
    const id = parseId(params.id);
    const patch = parse(postPatchSchema, await readBody(req));
    const caller = await authenticate(req);
    return json(200, { post: await updatePost(caller.user, id, patch) });
  },
  DELETE: async (req, { params }) => {
    const id = parseId(params.id);
    const caller = await authenticate(req);
    await deletePost(caller.user, id);
    return noContent();
  },
});
