// GET and POST /api/me/passkeys, served by netlify/functions/me-passkeys.ts.
import { addPasskeySchema } from '../auth/passkeys/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const mePasskeys = endpoint('/api/me/passkeys', {
  GET: {
    id: 'listPasskeys',
    tag: 'Accounts',
    summary: "The caller's passkeys, oldest first",
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The passkeys', body: r.passkeyList }],
  },
  POST: {
    id: 'addPasskey',
    tag: 'Accounts',
    summary: "Add a passkey: the browser's answer to the options of POST /api/me/passkeys/options",
    statements: 2,
    description:
      'The answer is verified against its challenge (taken: single use), the relying party of this deploy (RP ID and origins) and user ' +
      'verification. A refused one is a 400 with `details.response`. 409 `passkey_limit` at 10 passkeys, `passkey_already_registered`. ' +
      'Only on a proven address: else 403 `email_unverified`.',
    auth: true,
    body: addPasskeySchema,
    answers: [{ status: 201, description: 'Added', body: r.passkey }],
    errors: [409],
  },
});
