// POST /api/me/passkeys/options, served by netlify/functions/me-passkeys-options.ts.
import { passkeyOptionsSchema } from '../auth/passkeys/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const mePasskeysOptions = endpoint('/api/me/passkeys/options', {
  POST: {
    id: 'passkeyRegistrationOptions',
    tag: 'Accounts',
    summary: 'Start adding a passkey: the options for navigator.credentials.create()',
    statements: 2,
    description:
      'A passkey signs in without the password and serves as the step-up, so adding one is proved as every change that could take ' +
      'the account away: the password (a wrong one is a 400 with `details.password`, counted as a failed login) and, when the account ' +
      'has TOTP or passkeys, a step-up (`code` or `passkey`; without it 403 `step_up_required`, nothing counted). ' +
      "A discoverable credential with user verification, attestation `none`; the account's passkeys are excluded. The challenge replaces " +
      'any earlier one of the account, is single use and lives 5 minutes. Only on a proven address (else 403 `email_unverified`); 409 ' +
      '`passkey_limit` at 10 passkeys (both before anything is counted).',
    auth: true,
    body: passkeyOptionsSchema,
    answers: [
      { status: 200, description: 'Give `options` to the browser, then send its answer to POST /api/me/passkeys', body: r.passkeyOptions },
    ],
    errors: [403, 409, 429],
  },
});
