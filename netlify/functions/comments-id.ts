// DELETE /api/comments/{id} — 2 SQL statements (authenticate; permission check and delete in one).
import { authenticate } from '../../src/http/caller.ts';
import { deleteComment } from '../../src/content/comments.ts';
import { parseId } from '../../src/http/params.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/comments/:id' };

export default route(config.path, {
  DELETE: async (req, { params }) => {
    const id = parseId(params.id);
    const caller = await authenticate(req);
    await deleteComment(caller.user, id);
    return noContent();
  },
});
