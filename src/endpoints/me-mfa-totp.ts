// POST and DELETE /api/me/mfa/totp, served by netlify/functions/me-mfa-totp.ts.
import { disableSchema, enrolSchema } from '../auth/mfa/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meMfaTotp = endpoint('/api/me/mfa/totp', {
  POST: {
    id: 'enrolTotp',
    tag: 'Accounts',
    summary: 'Start enrolling an authenticator app (TOTP): a new secret, enforced once confirmed',
    statements: 2,
    description:
      'The password proves the caller: a wrong one is a 400 with `details.password`, counted as a failed login (from this address, and across addresses). ' +
      'Starting again replaces a pending enrolment; 409 `mfa_already_enabled` when a factor is on. ' +
      'Only on a proven address (`emailVerified` in `GET /api/me`): else 403 `email_unverified`, nothing counted.',
    auth: true,
    body: enrolSchema,
    answers: [
      { status: 200, description: 'Scan `otpauthUri` (as a QR code) or type `secret`, then confirm with a code', body: r.totpEnrolment },
    ],
    errors: [409, 429],
  },
  DELETE: {
    id: 'disableTotp',
    tag: 'Accounts',
    summary: 'Turn the second factor off: needs the password and a code (from the app, or a recovery code)',
    statements: 2,
    description:
      'Every wrong one is listed (`details.password`, `details.code`; a wrong code counts on `RATE_LIMIT_MFA`). Without `code`, 403 ' +
      '`step_up_required` (nothing counted or checked), as for every change the second factor guards. The recovery codes go with the factor.',
    auth: true,
    body: disableSchema,
    answers: [{ status: 204, description: 'Off: login needs the password only' }],
    errors: [403, 404, 429],
  },
});
