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
    description:
      'The token proves the address (and confirms an unconfirmed account). When the address had never been proven, ' +
      'the second factor and recovery codes go too (`mfa_removed_by_reset` in the audit trail): whoever reads the mailbox gets the account back.',
    body: resetFields,
    answers: [{ status: 200, description: 'Reset', body: r.passwordReset }],
    errors: [404, 410],
  },
});
