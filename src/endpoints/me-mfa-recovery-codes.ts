// POST /api/me/mfa/recovery-codes, served by netlify/functions/me-mfa-recovery-codes.ts.
import { recoveryCodesSchema } from '../auth/mfa/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meMfaRecoveryCodes = endpoint('/api/me/mfa/recovery-codes', {
  POST: {
    id: 'renewRecoveryCodes',
    tag: 'Accounts',
    summary: 'Ten new recovery codes, replacing the old ones (used or not): needs the password and a code',
    statements: 2,
    description:
      'Proved as the removal of the factor is: a wrong `password` or `code` is a 400 listing each (`details.password`, `details.code`), ' +
      'counted on their limits; without `code`, 403 `step_up_required`. 404 when no second factor is on.',
    auth: true,
    body: recoveryCodesSchema,
    answers: [{ status: 200, description: 'The new codes; the old ones no longer work', body: r.recoveryCodes }],
    errors: [403, 404, 429],
  },
});
