// DELETE /api/me/identities/{id}, served by netlify/functions/me-identities-id.ts.
import { unlinkIdentitySchema } from '../auth/providers/bodies.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meIdentitiesId = endpoint('/api/me/identities/:id', {
  DELETE: {
    id: 'unlinkIdentity',
    tag: 'Accounts',
    summary: "Unlink one of the caller's identities: needs the password, and a code on an account with an authenticator app",
    statements: 2,
    description:
      'The password is the proof, so the account keeps a way in: an account made by a provider has none and gets 409 `last_way_in` ' +
      "(a password reset sets one). A wrong password or code is a 400, counted. Another account's identity is a 404, nothing taken.",
    auth: true,
    params: r.idParam,
    body: unlinkIdentitySchema,
    answers: [r.noContent('Unlinked')],
    errors: [403, 404, 409, 429],
  },
});
