// POST /api/me/email, served by netlify/functions/me-email.ts.
import { emailChangeSchema } from '../auth/email-change/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meEmail = endpoint('/api/me/email', {
  POST: {
    id: 'requestEmailChange',
    tag: 'Accounts',
    summary: 'Change the e-mail address: a code goes to the new one',
    statements: 3,
    description:
      'A code valid 10 minutes is e-mailed to the new address (confirm it with `/api/me/email/confirm/{code}`); the old ' +
      'address gets a notice without the code. The account keeps its address until then; a new request replaces the pending ' +
      'one. A wrong `password` is a 400 with `details.password` and counts as a failed login of the account from this address. ' +
      '409 when another account has the address.' +
      " On an account with a second factor, `code` (from the authenticator app, or a recovery code) is needed too, whatever the session's level: without it 403 `step_up_required` (nothing counted or checked); a wrong or used one is a 400 with `details.code`, counted on the account (`RATE_LIMIT_MFA`).",
    auth: true,
    body: emailChangeSchema,
    answers: [{ status: 202, description: 'Code sent to the new address', body: r.emailChangeRequested }],
    errors: [403, 409, 429],
  },
});
