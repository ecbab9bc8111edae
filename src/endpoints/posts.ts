// GET and POST /api/posts, served by netlify/functions/posts.ts.
import { paginationSchema } from '../common/pagination.ts';
import { newPostSchema } from '../content/rules.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const posts = endpoint('/api/posts', {
  GET: {
    id: 'listPosts',
    tag: 'Content',
    summary: 'Every post, newest first',
    statements: 1,
    description: r.PAGINATED,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of posts', body: r.postPage, headers: ['Link'] }],
  },
  POST: {
    id: 'createPost',
    tag: 'Content',
    summary: 'Write a post',
    statements: 2,
    auth: true,
    body: newPostSchema,
    answers: [{ status: 201, description: 'Created', body: r.withPost }],
  },
});
