// GET and DELETE /api/me, served by netlify/functions/me.ts.
import { passwordProofSchema } from '../auth/passwords/rules.ts';
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const me = endpoint('/api/me', {
  GET: {
    id: 'getMe',
    tag: 'Accounts',
    summary: 'The caller and their profile',
    statements: 1,
    auth: true,
    answers: [{ status: 200, description: 'The caller', body: r.me }],
  },
  DELETE: {
    id: 'deleteAccount',
    tag: 'Accounts',
    summary: 'Delete the account and everything that is its own, with the password',
    statements: 2,
    description:
      'In one transaction: the user, the profile, every session, code and security event, the posts with every comment ' +
      'on them, and the comments on other posts. The username and the address become free; the session cookie is cleared. ' +
      'A wrong `password` is a 400 with `details.password` and counts as a failed login of the account from this address.' +
      " On an account with a second factor, `code` (from the authenticator app, or a recovery code) is needed too, whatever the session's level: without it 403 `step_up_required` (nothing counted or checked); a wrong or used one is a 400 with `details.code`, counted on the account (`RATE_LIMIT_MFA`).",
    auth: true,
    body: passwordProofSchema,
    answers: [r.noContent('Deleted', ['Set-Cookie'])],
    errors: [403, 429],
  },
});
