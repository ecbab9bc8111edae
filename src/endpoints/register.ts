// POST /api/register, served by netlify/functions/register.ts.
import { registrationFields } from '../auth/signup/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const register = endpoint('/api/register', {
  POST: {
    id: 'register',
    tag: 'Accounts',
    summary: 'Register; the account is inactive until its e-mail address is confirmed',
    statements: 2,
    description:
      'A confirmation code valid 10 minutes is e-mailed. A 503 means the e-mail could not be sent: nothing was kept. ' +
      'An address whose account was never confirmed is taken over: that account (its username, its code) is replaced by this one. ' +
      '409 `email_taken` when a confirmed account has the address, `username_taken` when another account has the username.',
    body: registrationFields,
    answers: [{ status: 201, description: 'Registered, not confirmed yet', body: r.registered }],
    errors: [409, 429],
  },
});
