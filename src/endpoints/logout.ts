// POST /api/logout, served by netlify/functions/logout.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const logout = endpoint('/api/logout', {
  POST: {
    id: 'logout',
    tag: 'Accounts',
    summary: 'Log out: the session is revoked and the cookie cleared',
    statements: 1,
    auth: true,
    answers: [r.noContent('Logged out', ['Set-Cookie'])],
  },
});
