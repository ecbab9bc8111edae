// GET /api/users, served by netlify/functions/users.ts.
import { paginationSchema } from '../common/pagination.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const users = endpoint('/api/users', {
  GET: {
    id: 'listUsers',
    tag: 'Profiles',
    summary: 'Every user, by username',
    statements: 1,
    description: r.PAGINATED,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of users', body: r.userPage, headers: ['Link'] }],
  },
});
