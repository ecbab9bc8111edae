// GET /.well-known/openid-configuration, served by netlify/functions/openid-configuration.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const openidConfiguration = endpoint(
  '/.well-known/openid-configuration',
  {
    GET: {
      id: 'getIssuerMetadata',
      tag: 'Tokens',
      summary: 'The issuer and where its keys are, for verifiers configured with the issuer alone',
      statements: 0,
      description:
        'The RFC 8414 metadata that is true here: `issuer`, `jwks_uri`, and empty `response_types_supported` and ' +
        '`grant_types_supported`, since this service is neither an OpenID provider nor an OAuth authorization server: it has no ' +
        'authorization or token endpoint (POST /api/token is no OAuth grant). Cacheable for 5 minutes, with an ETag.',
      answers: r.cacheable('The issuer metadata', r.openIdConfiguration),
      database: false,
    },
  },
  { public: true },
);
