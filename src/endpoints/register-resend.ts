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
    body: emailRequestSchema,
    answers: [{ status: 202, description: 'Accepted, whether or not an unconfirmed account uses the address', body: r.resendAccepted }],
    errors: [429],
  },
});
