// PATCH and DELETE /api/me/passkeys/{id}, served by netlify/functions/me-passkeys-id.ts.
import { removePasskeySchema, renamePasskeySchema } from '../auth/passkeys/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const mePasskeysId = endpoint('/api/me/passkeys/:id', {
  PATCH: {
    id: 'renamePasskey',
    tag: 'Accounts',
    summary: "Rename one of the caller's passkeys",
    statements: 1,
    description: "Another account's passkey is a 404.",
    auth: true,
    params: r.idParam,
    body: renamePasskeySchema,
    answers: [{ status: 200, description: 'Renamed', body: r.passkey }],
    errors: [404],
  },
  DELETE: {
    id: 'removePasskey',
    tag: 'Accounts',
    summary: "Remove one of the caller's passkeys: needs the password and a step-up (a code, or a passkey's answer)",
    statements: 2,
    description:
      'Proved as every change that could take the account away: a wrong password, code or passkey is a 400 (`details.password`, ' +
      '`details.code`, `details.passkey`); without a step-up, 403 `step_up_required` (an account with passkeys and no TOTP takes only ' +
      "`passkey`, which may be the passkey removed). The same 2 statements either way. Another account's passkey is a 404, nothing taken.",
    auth: true,
    params: r.idParam,
    body: removePasskeySchema,
    answers: [r.noContent('Removed')],
    errors: [403, 404, 429],
  },
});
