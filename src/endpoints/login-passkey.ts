// POST /api/login/passkey, served by netlify/functions/login-passkey.ts.
import { passkeySignInSchema } from '../auth/passkeys/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const loginPasskey = endpoint('/api/login/passkey', {
  POST: {
    id: 'loginWithPasskey',
    tag: 'Accounts',
    summary: "Sign in with a passkey, no password: the browser's answer to the options of POST /api/login/passkey/options",
    statements: 2,
    description:
      'The same 200 as POST /api/login; the session is at `aal2`, its `amr` `swk` (a synced passkey) or `hwk` (device-bound). Every refusal is 401 ' +
      '`passkey_invalid` (challenge unknown, used or expired; passkey unknown; signature, origin, RP ID, user verification or sign counter wrong). ' +
      '403 `forbidden` for a request from another origin (login CSRF), but one CORS_ALLOWED_ORIGINS trusts (no cookie then). ' +
      "Counts one attempt on the address's login counter (`RATE_LIMIT_LOGIN_IP`, as a wrong password: 429 over it, nothing verified), " +
      'given back by a success.',
    body: passkeySignInSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.loggedIn, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
});
