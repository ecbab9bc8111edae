// POST /api/password/reset, served by netlify/functions/password-reset.ts.
import { resetFields } from '../auth/reset/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const passwordReset = endpoint('/api/password/reset', {
  POST: {
    id: 'resetPassword',
    tag: 'Accounts',
    summary: 'Set a new password with a reset token; every session of the account is revoked',
    statements: 2,
    body: resetFields,
    answers: [{ status: 200, description: 'Reset', body: r.passwordReset }],
    errors: [404, 410],
  },
});
