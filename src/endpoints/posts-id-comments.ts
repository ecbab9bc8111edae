// GET and POST /api/posts/{id}/comments, served by netlify/functions/posts-id-comments.ts.
import { paginationSchema } from '../common/pagination.ts';
import { newCommentSchema } from '../content/rules.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const postsIdComments = endpoint('/api/posts/:id/comments', {
  GET: {
    id: 'listComments',
    tag: 'Content',
    summary: 'The comments of a post, oldest first',
    statements: 1,
    description: r.PAGINATED,
    params: r.idParam,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of comments', body: r.commentPage, headers: ['Link'] }],
    errors: [404],
  },
  POST: {
    id: 'createComment',
    tag: 'Content',
    summary: 'Comment on a post',
    statements: 2,
    auth: true,
    params: r.idParam,
    body: newCommentSchema,
    answers: [{ status: 201, description: 'Created', body: r.withComment }],
    errors: [404],
  },
});
