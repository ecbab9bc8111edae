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
      "e-mail equal to that account's proven one; else a new account is made (5 statements). Reached only by a browser the " +
      'provider sent back, so every refusal is also a 302, to the login page with `?error=<code>` (a link started on the account ' +
      'page: to the account page; nothing written, the state cookie cleared): `federation_failed` (a state unknown, used, expired or started by another browser, consent refused at the ' +
      'provider, a code or ID token the checks refuse), `account_banned`, `account_not_confirmed`, `identity_email_missing`, ' +
      '`identity_email_taken` (an account holds the address otherwise), `identity_taken` (a link of an identity another account ' +
      'has), `provider_unavailable` (the provider did not answer in time or answered 5xx). JSON errors remain for what no provider ' +
      'sends a browser to: a malformed (400) or unconfigured (404) provider, and a database outage (503).',
    params: providerParam,
    answers: [
      {
        status: 302,
        description:
          "Signed in (or linked): to the return path; or the second step, or a refusal: to the login page (a link's: the account page)",
        headers: ['Location', 'Set-Cookie'],
      },
    ],
    errors: [404],
  },
});
