// GET /.well-known/oauth-authorization-server, served by netlify/functions/oauth-authorization-server.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const oauthAuthorizationServer = endpoint(
  '/.well-known/oauth-authorization-server',
  {
    GET: {
      id: 'getAuthorizationServerMetadata',
      tag: 'Tokens',
      summary: 'The issuer metadata at the RFC 8414 address: the same document as /.well-known/openid-configuration',
      statements: 0,
      description: 'Cacheable for 5 minutes, with an ETag.',
      answers: r.cacheable('The issuer metadata', r.openIdConfiguration),
      database: false,
    },
  },
  { public: true },
);
