// POST /api/login/mfa, served by netlify/functions/login-mfa.ts.
import { secondStepSchema } from '../auth/mfa/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const loginMfa = endpoint('/api/login/mfa', {
  POST: {
    id: 'loginSecondFactor',
    tag: 'Accounts',
    summary:
      "Log in, second step: the mfaToken of POST /api/login's 403 mfa_required and a code from the authenticator app or a recovery code",
    statements: 2,
    description:
      'The same 200 as POST /api/login. A token allows 5 tries within 5 minutes (then 401 `mfa_token_invalid`: log in again); a wrong or ' +
      'already used code is 401 `invalid_mfa_code`, counted on the account (`RATE_LIMIT_MFA`); past `RATE_LIMIT_MFA_DAY` wrong codes, 429 ' +
      '`mfa_locked`, right code or not, until a password reset. A recovery code works once. 403 `forbidden` for a request from another origin (login CSRF), but one CORS_ALLOWED_ORIGINS trusts (no cookie then).',
    body: secondStepSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.loggedIn, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
});
