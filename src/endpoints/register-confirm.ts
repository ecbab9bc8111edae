// GET and POST /api/register/confirm/{code}, served by netlify/functions/register-confirm.ts.
import { secretSchema } from '../auth/codes/tokens.ts';
import { endpoint, type Operation } from '../http/endpoint.ts';
import * as r from './responses.ts';

/** GET lets the link in the e-mail work when opened; POST suits API clients. */
const confirm = (link: boolean) =>
  ({
    id: `confirmRegistration${link ? 'Link' : ''}`,
    tag: 'Accounts',
    summary: link ? 'Confirm an e-mail address (the link in the e-mail)' : 'Confirm an e-mail address',
    description: 'The code is single-use. It confirms the account and proves its address (`emailVerified`).',
    statements: 1,
    params: { code: secretSchema },
    answers: [{ status: 200, description: 'Confirmed', body: r.withUser }],
    errors: [404, 410],
  }) satisfies Operation;

export const registerConfirm = endpoint('/api/register/confirm/:code', { GET: confirm(true), POST: confirm(false) });
