// POST /api/login/mfa, served by netlify/functions/login-mfa.ts.
import { secondStepSchema } from '../auth/mfa/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const loginMfa = endpoint('/api/login/mfa', {
  POST: {
    id: 'loginSecondFactor',
    tag: 'Accounts',
    summary:
      "Log in, second step: the mfaToken of POST /api/login's 403 mfa_required and a code from the authenticator app, a recovery code or a passkey",
    statements: 2,
    description:
      'The same 200 as POST /api/login. A token allows 5 tries within 5 minutes (then 401 `mfa_token_invalid`: log in again); a wrong or ' +
      'already used code is 401 `invalid_mfa_code`, counted on the account (`RATE_LIMIT_MFA`); past `RATE_LIMIT_MFA_DAY` wrong codes, 429 ' +
      "`mfa_locked`, right code or not, until a password reset. A recovery code works once. `passkey` instead of `code` (when mfa_required's " +
      "`methods` lists it): the answer to the options of POST /api/login/mfa/passkey/options, the same 2 statements, the session's `amr` `pwd` " +
      'with `hwk` or `swk`; it spends a try of the token but is not counted on `RATE_LIMIT_MFA` (a signature is not guessed), and one that ' +
      "does not verify (used challenge, another account's passkey, signature, origin, counter) is 401 `invalid_mfa_code`. 403 `forbidden` for a request from another origin (login CSRF), but one CORS_ALLOWED_ORIGINS trusts (no cookie then).",
    body: secondStepSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.loggedIn, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
});
