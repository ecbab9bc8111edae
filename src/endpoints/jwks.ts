// GET /.well-known/jwks.json, served by netlify/functions/jwks.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const jwks = endpoint(
  '/.well-known/jwks.json',
  {
    GET: {
      id: 'getJwks',
      tag: 'Tokens',
      summary: 'The public keys that verify access tokens (JWKS)',
      statements: 0,
      description: "Cacheable for 5 minutes; send `If-None-Match` with the ETag to revalidate. Pick the key by the token's `kid`.",
      answers: r.cacheable('The key set', r.jwks),
      database: false,
    },
  },
  { public: true },
);
