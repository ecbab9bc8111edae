// POST /api/login/passkey/options, served by netlify/functions/login-passkey-options.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const loginPasskeyOptions = endpoint('/api/login/passkey/options', {
  POST: {
    id: 'passkeySignInOptions',
    tag: 'Accounts',
    summary:
      'Start a sign-in with a passkey: the options for navigator.credentials.get(), for any account (discoverable credentials, conditional UI)',
    statements: 1,
    description:
      "Counts on the address's counter of these options (5 times `RATE_LIMIT_LOGIN_IP` in its window: 429 over it), not on its login counter: " +
      'the log-in page asks for them as it opens. The answer counts there. The challenge is single use and lives 5 minutes.',
    answers: [
      {
        status: 200,
        description: 'Give `options` to the browser, then send its answer to POST /api/login/passkey',
        body: r.passkeyOptions,
      },
    ],
    errors: [429],
  },
});
