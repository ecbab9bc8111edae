// GET /api/auth/{provider}/callback, served by netlify/functions/auth-provider-callback.ts.
import { providerParam } from '../auth/providers/bodies.ts';
import { endpoint } from '../http/endpoint.ts';

export const authProviderCallback = endpoint('/api/auth/:provider/callback', {
  GET: {
    id: 'finishProviderSignIn',
    tag: 'Accounts',
    summary: "Where the provider sends the browser back: signs in as POST /api/login does and redirects to the start's returnTo",
    statements: 3,
    description:
      'The session cookie is set (`amr` `fed`, `aal1`). For an account with a second factor the redirect goes to the login page with ' +
      '`#mfaToken=…` for POST /api/login/mfa instead. A first sign-in joins an existing account only when the provider verified an ' +
      "e-mail equal to that account's proven one; an account that holds the address otherwise is 409 `identity_email_taken`; else a " +
      'new account is made (5 statements). 401 `federation_failed`: a state unknown, used, expired or started by another browser, or a ' +
      'code or ID token the checks refuse. 403 `account_banned`, `identity_email_missing`; 409 `identity_taken` for a link of an identity ' +
      'another account has; 503 `provider_unavailable`: the provider did not answer in time or answered 5xx.',
    params: providerParam,
    answers: [{ status: 302, description: 'Signed in (or linked): to the return path', headers: ['Location', 'Set-Cookie'] }],
    errors: [401, 403, 404, 409],
  },
});
