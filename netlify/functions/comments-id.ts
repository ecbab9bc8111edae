// DELETE /api/comments/{id} — authenticate; then the permission check and the delete in one.
import { deleteComment } from '../../src/content/comments.ts';
import { commentsId } from '../../src/endpoints/comments-id.ts';
import { authenticate } from '../../src/http/caller.ts';
import { noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/comments/:id' };

export default route(config, commentsId, {
  DELETE: async (req, { params }) => {
    const caller = await authenticate(req);
    await deleteComment(caller.user, params.id);
    return noContent();
  },
});
