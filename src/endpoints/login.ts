// POST /api/login, served by netlify/functions/login.ts.
import { loginSchema } from '../auth/login/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const login = endpoint('/api/login', {
  POST: {
    id: 'login',
    tag: 'Accounts',
    summary: 'Log in with a username or an e-mail address (exactly one of them) and the password',
    statements: 2,
    description:
      'The token is also set as the `session_id` cookie. 403 only after a correct password: `account_banned`, `account_not_confirmed`, or for an account with a ' +
      'second factor `mfa_required` with `error.mfaToken` for POST /api/login/mfa; 403 `forbidden` for a request ' +
      'from another origin (`Origin`, or `Sec-Fetch-Site: cross-site`): login CSRF; an origin of CORS_ALLOWED_ORIGINS gets the token without the cookie. 429 also when the account had too many failed logins ' +
      'across all addresses, unless this address logged into it in the last 30 days.',
    body: loginSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.loggedIn, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
});
