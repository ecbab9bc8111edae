// GET, PATCH and DELETE /api/posts/{id}, served by netlify/functions/posts-id.ts.
import { postPatchSchema } from '../content/rules.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const postsId = endpoint('/api/posts/:id', {
  GET: {
    id: 'getPost',
    tag: 'Content',
    summary: 'A post',
    statements: 1,
    params: r.idParam,
    answers: [{ status: 200, description: 'The post', body: r.withPost }],
    errors: [404],
  },
  PATCH: {
    id: 'updatePost',
    tag: 'Content',
    summary: 'Change a post (its author only)',
    statements: 2,
    description: 'Absent fields stay as they are; `{}` changes nothing.',
    auth: true,
    params: r.idParam,
    body: postPatchSchema,
    answers: [{ status: 200, description: 'The post after the change', body: r.withPost }],
    errors: [404],
  },
  DELETE: {
    id: 'deletePost',
    tag: 'Content',
    summary: 'Delete a post and its comments (its author only)',
    statements: 2,
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Deleted')],
    errors: [404],
  },
});
