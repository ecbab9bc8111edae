// GET /profile, served by netlify/functions/classic-profile.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const classicProfile = endpoint('/profile', {
  GET: {
    id: 'classicProfile',
    tag: 'Classic',
    summary: "The caller's e-mail address",
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The caller', body: r.classicProfile }],
  },
});
