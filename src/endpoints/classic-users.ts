// POST /users, served by netlify/functions/classic-users.ts.
import { emailSignUpFields } from '../auth/signup/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const classicUsers = endpoint('/users', {
  POST: {
    id: 'classicRegister',
    tag: 'Classic',
    summary: 'Register; the account can log in at once, under a username derived from the e-mail',
    statements: 3,
    description: 'A registered address is a 400 `{"message": "email already registered"}`.',
    body: emailSignUpFields,
    answers: [{ status: 200, description: 'Registered', body: r.classicAccount }],
    errors: [429],
  },
});
