// GET and POST /api/me/email/confirm/{code}, served by netlify/functions/me-email-confirm.ts.
import { secretSchema } from '../auth/codes/tokens.ts';
import { endpoint, type Operation } from '../http/endpoint.ts';
import * as r from './responses.ts';

/** GET lets the link in the e-mail work when opened; POST suits API clients. */
const confirm = (link: boolean) =>
  ({
    id: `confirmEmailChange${link ? 'Link' : ''}`,
    tag: 'Accounts',
    summary: link ? 'Confirm a new e-mail address (the link in the e-mail)' : 'Confirm a new e-mail address',
    description:
      'No session needed: the single-use code is the proof. Every other session of the account ends (all of them without a ' +
      'session of the account), and unused reset tokens, which went to the old address, stop working. 409 when another ' +
      'account took the address since the request.',
    statements: 1,
    params: { code: secretSchema },
    answers: [{ status: 200, description: 'The account, with its new address', body: r.withUser }],
    errors: [404, 409, 410],
  }) satisfies Operation;

export const meEmailConfirm = endpoint('/api/me/email/confirm/:code', { GET: confirm(true), POST: confirm(false) });
