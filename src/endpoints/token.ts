// POST /api/token, served by netlify/functions/token.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const token = endpoint('/api/token', {
  POST: {
    id: 'issueAccessToken',
    tag: 'Tokens',
    summary: 'A short-lived access token for the caller, for other services to verify with the JWKS',
    statements: 1,
    auth: true,
    description:
      'Authenticated by the session (Bearer token or cookie); no body. The token names the caller (`sub`, `username`) and the session ' +
      '(`sid`), for the audience JWT_AUDIENCE; it expires after ACCESS_TOKEN_TTL (15 minutes) or with the session, if sooner. ' +
      'It is not a session token: no route of this service accepts it. 404 `access_tokens_unavailable` when the service ' +
      'has no signing key (JWT_SECRET alone).',
    answers: [{ status: 200, description: 'An access token', body: r.accessToken }],
    errors: [404],
  },
});
