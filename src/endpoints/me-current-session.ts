// GET /api/me/session, served by netlify/functions/me-current-session.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const meCurrentSession = endpoint('/api/me/session', {
  GET: {
    id: 'getCurrentSession',
    tag: 'Accounts',
    summary: 'The session making the request: when it was opened and how (`amr`, `aal`)',
    statements: 1,
    description:
      '`aal2` when the login gave a code of the second factor, `aal1` for the password alone. Changes that need the second ' +
      'factor (password, e-mail, deletion, the factor itself) ask for a code whatever the level: see `step_up_required`.',
    auth: true,
    answers: [{ status: 200, description: 'The current session', body: r.currentSession }],
  },
});
