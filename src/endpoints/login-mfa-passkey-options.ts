// POST /api/login/mfa/passkey/options, served by netlify/functions/login-mfa-passkey-options.ts.
import { secondStepOptionsSchema } from '../auth/passkeys/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const loginMfaPasskeyOptions = endpoint('/api/login/mfa/passkey/options', {
  POST: {
    id: 'secondStepPasskeyOptions',
    tag: 'Accounts',
    summary: "Log in, second step by passkey: the options for navigator.credentials.get(), bound to mfa_required's mfaToken",
    statements: 1,
    description:
      "Only the account's passkeys are allowed. The challenge serves this token only, replaces the token's earlier one, is single use and " +
      'expires with the token. 401 `mfa_token_invalid` for a token that is unknown, used, expired or out of tries; 404 when the account has no passkey.',
    body: secondStepOptionsSchema,
    answers: [
      {
        status: 200,
        description: 'Give `options` to the browser, then send its answer as `passkey` with the mfaToken to POST /api/login/mfa',
        body: r.passkeyOptions,
      },
    ],
    errors: [401, 404],
  },
});
