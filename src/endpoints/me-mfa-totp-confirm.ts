// POST /api/me/mfa/totp/confirm, served by netlify/functions/me-mfa-totp-confirm.ts.
import { confirmSchema } from '../auth/mfa/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meMfaTotpConfirm = endpoint('/api/me/mfa/totp/confirm', {
  POST: {
    id: 'confirmTotp',
    tag: 'Accounts',
    summary: 'Turn the second factor on with a code from the app: answers the ten recovery codes, shown only this once',
    statements: 2,
    description:
      'A wrong code is a 400 with `details.code`, counted on the account (`RATE_LIMIT_MFA`). From then on login needs a code. ' +
      'Every other session is ended unless `revokeOtherSessions` is false. ' +
      'Only on a proven address: else 403 `email_unverified`, nothing counted.',
    auth: true,
    body: confirmSchema,
    answers: [{ status: 200, description: 'On', body: r.mfaEnabled }],
    errors: [404, 409, 429],
  },
});
