// POST /api/me/step-up/options, served by netlify/functions/me-step-up-options.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meStepUpOptions = endpoint('/api/me/step-up/options', {
  POST: {
    id: 'stepUpPasskeyOptions',
    tag: 'Accounts',
    summary: "Start a step-up by passkey: the options for navigator.credentials.get(), for one of the caller's passkeys",
    statements: 1,
    description:
      'Its answer goes as `passkey` (instead of `code`) with a change that asks for a step-up: the password change, the e-mail change, ' +
      "the account's deletion, the factor's removal, new recovery codes, a passkey's removal. The challenge is the account's, replaces " +
      'its earlier one, is single use (taken by the change) and lives 5 minutes. 404 when the account has no passkey.',
    auth: true,
    answers: [
      {
        status: 200,
        description: 'Give `options` to the browser, then send its answer as `passkey` with the change',
        body: r.passkeyOptions,
      },
    ],
    errors: [404],
  },
});
