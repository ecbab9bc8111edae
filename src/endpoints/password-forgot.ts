// POST /api/password/forgot, served by netlify/functions/password-forgot.ts.
import { emailRequestSchema } from '../auth/accounts/email.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const passwordForgot = endpoint('/api/password/forgot', {
  POST: {
    id: 'forgotPassword',
    tag: 'Accounts',
    summary: 'Ask for a password reset token (single use, valid 30 minutes)',
    statements: 2,
    body: emailRequestSchema,
    answers: [{ status: 202, description: 'Accepted, whether or not an account uses the address', body: r.resetRequested }],
    errors: [429],
  },
});
