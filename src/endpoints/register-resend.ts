// POST /api/register/resend, served by netlify/functions/register-resend.ts.
import { emailRequestSchema } from '../auth/accounts/email.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const registerResend = endpoint('/api/register/resend', {
  POST: {
    id: 'resendConfirmation',
    tag: 'Accounts',
    summary: 'Send a new confirmation code (it replaces the previous one)',
    statements: 2,
    description:
      'For an account whose address is not proven: an unconfirmed one, or one made by the classic `POST /users`, ' +
      'whose confirmation proves the address (a second factor needs it).',
    body: emailRequestSchema,
    answers: [{ status: 202, description: 'Accepted, whether or not an account with an unproven address uses it', body: r.resendAccepted }],
    errors: [429],
  },
});
