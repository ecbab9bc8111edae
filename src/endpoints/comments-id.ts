// DELETE /api/comments/{id}, served by netlify/functions/comments-id.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const commentsId = endpoint('/api/comments/:id', {
  DELETE: {
    id: 'deleteComment',
    tag: 'Content',
    summary: "Delete a comment (its author or the post's)",
    statements: 2,
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Deleted')],
    errors: [404],
  },
});
