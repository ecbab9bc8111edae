// POST and PUT /reset_password, served by netlify/functions/classic-reset-password.ts.
import { emailRequestSchema } from '../auth/accounts/email.ts';
import { emailResetFields } from '../auth/reset/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const classicResetPassword = endpoint('/reset_password', {
  POST: {
    id: 'classicRequestReset',
    tag: 'Classic',
    summary: 'Ask for a reset token',
    statements: 2,
    description: 'An unknown address is a 403.',
    body: emailRequestSchema,
    answers: [{ status: 200, description: 'Token issued', body: r.classicResetIssued }],
    errors: [403, 429],
  },
  PUT: {
    id: 'classicResetPassword',
    tag: 'Classic',
    summary: 'Set a new password with a reset token; every session is revoked',
    statements: 2,
    description:
      'A wrong or used token, or one of another account, is a 403. As `POST /api/password/reset`, the token proves the address ' +
      'and, when it had never been proven, the second factor goes.',
    body: emailResetFields,
    answers: [{ status: 200, description: 'Password updated', body: r.classicAccount }],
    errors: [403],
  },
});
