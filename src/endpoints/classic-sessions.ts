// POST and DELETE /sessions, served by netlify/functions/classic-sessions.ts.
import { emailLoginSchema } from '../auth/login/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const classicSessions = endpoint('/sessions', {
  POST: {
    id: 'classicLogin',
    tag: 'Classic',
    summary: 'Log in: sets the session_id cookie',
    statements: 2,
    body: emailLoginSchema,
    description: 'A request from another origin (`Origin`, or `Sec-Fetch-Site: cross-site`) is a 403 (login CSRF).',
    answers: [{ status: 200, description: 'Logged in', body: r.classicAccount, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
  DELETE: {
    id: 'classicLogout',
    tag: 'Classic',
    summary: 'Log out: the session is destroyed',
    statements: 1,
    auth: true,
    answers: [{ status: 302, description: 'Logged out, redirected to /', headers: ['Location', 'Set-Cookie'] }],
  },
});
