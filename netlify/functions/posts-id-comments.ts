// GET /api/posts/{id}/comments — 1 SQL statement (post check, page and total together),
// whatever the page size.
// POST /api/posts/{id}/comments — 2 SQL statements (authenticate; insert if the post exists).
import { addComment, listComments } from '../../src/content/comments.ts';
import { newCommentSchema } from '../../src/content/rules.ts';
import { postsIdComments } from '../../src/endpoints/posts-id-comments.ts';
import { readBody } from '../../src/http/body.ts';
import { authenticate } from '../../src/http/caller.ts';
import { parseId, parsePagination } from '../../src/http/params.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/posts/:id/comments' };

export default route(config, postsIdComments, {
  GET: async (req, { params }) => {
    const postId = parseId(params.id);
    const url = new URL(req.url);
    return listPage(url, await listComments(postId, parsePagination(url)));
  },
  POST: async (req, { params }) => {
    const postId = parseId(params.id);
    const input = parse(newCommentSchema, await readBody(req));
    const caller = await authenticate(req);
    return json(201, { comment: await addComment(caller.user, postId, input) });
  },
});
