// POST /api/me/passkeys/options, served by netlify/functions/me-passkeys-options.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const mePasskeysOptions = endpoint('/api/me/passkeys/options', {
  POST: {
    id: 'passkeyRegistrationOptions',
    tag: 'Accounts',
    summary: 'Start adding a passkey: the options for navigator.credentials.create()',
    statements: 1,
    description:
      "A discoverable credential with user verification, attestation `none`; the account's passkeys are excluded. The challenge replaces " +
      'any earlier one of the account, is single use and lives 5 minutes. Only on a proven address (else 403 `email_unverified`); 409 ' +
      '`passkey_limit` at 10 passkeys.',
    auth: true,
    answers: [
      { status: 200, description: 'Give `options` to the browser, then send its answer to POST /api/me/passkeys', body: r.passkeyOptions },
    ],
    errors: [409],
  },
});
