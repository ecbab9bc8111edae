// PUT /api/me/password, served by netlify/functions/me-password.ts.
import { passwordChangeSchema } from '../auth/passwords/rules.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const mePassword = endpoint('/api/me/password', {
  PUT: {
    id: 'changePassword',
    tag: 'Accounts',
    summary: 'Change the password; every other session is revoked, this one kept',
    statements: 2,
    description:
      "A wrong `currentPassword` is a 400 with `details.currentPassword`. Every attempt is counted on the account's failed-login limits " +
      '(per address, and across addresses); over one it is a 429 with `Retry-After`, before the password is checked.' +
      " On an account with a second factor, `code` (from the authenticator app, or a recovery code) is needed too, whatever the session's level: without it 403 `step_up_required` (nothing counted or checked); a wrong or used one is a 400 with `details.code`, counted on the account (`RATE_LIMIT_MFA`).",
    auth: true,
    body: passwordChangeSchema,
    answers: [{ status: 200, description: 'Changed', body: r.passwordChanged }],
    errors: [403, 429],
  },
});
