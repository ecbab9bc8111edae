// GET /api/users/{username}, served by netlify/functions/users-username.ts.
import { endpoint } from '../http/endpoint.ts';
import { usernameSchema } from '../users/username.ts';
import * as r from './responses.ts';

export const usersUsername = endpoint('/api/users/:username', {
  GET: {
    id: 'getUser',
    tag: 'Profiles',
    summary: "A user's public page (never the e-mail address)",
    statements: 1,
    params: { username: usernameSchema },
    answers: [{ status: 200, description: 'The user, their profile and counts', body: r.publicProfile }],
    errors: [404],
  },
});
