// GET /api/me, served by netlify/functions/me.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const me = endpoint('/api/me', {
  GET: {
    id: 'getMe',
    tag: 'Accounts',
    summary: 'The caller and their profile',
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The caller', body: r.me }],
  },
});
