// GET and POST /api/me/identities, served by netlify/functions/me-identities.ts.
import { linkIdentitySchema } from '../auth/providers/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meIdentities = endpoint('/api/me/identities', {
  GET: {
    id: 'listIdentities',
    tag: 'Accounts',
    summary: "The identities at other providers linked to the caller's account, oldest first",
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The identities', body: r.identityList }],
  },
  POST: {
    id: 'linkIdentity',
    tag: 'Accounts',
    summary: 'Link an identity at another provider: needs the password, and a code on an account with an authenticator app',
    statements: 2,
    description:
      'Answers the authorization URL to send the browser to, and sets the `federation_state` cookie; the callback then links the ' +
      'identity to this account (409 `identity_taken` when another account has it). A wrong password or code is a 400, counted; ' +
      'without `code` on an account with TOTP, 403 `step_up_required`; on an address never proven, 403 `email_unverified`. An unknown ' +
      'provider is a 404.',
    auth: true,
    body: linkIdentitySchema,
    answers: [{ status: 200, description: 'Started', body: r.linkStarted, headers: ['Set-Cookie'] }],
    errors: [403, 404, 429],
  },
});
