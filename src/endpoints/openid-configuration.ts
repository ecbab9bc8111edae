// GET /.well-known/openid-configuration, served by netlify/functions/openid-configuration.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const openidConfiguration = endpoint('/.well-known/openid-configuration', {
  GET: {
    id: 'getIssuerMetadata',
    tag: 'Tokens',
    summary: 'The issuer and where its keys are, for verifiers configured with the issuer alone',
    statements: 0,
    description:
      'Only `issuer` and `jwks_uri`: this service is not an OpenID provider and claims none of its endpoints. ' +
      'Cacheable for 5 minutes, with an ETag.',
    answers: r.cacheable('The issuer metadata', r.openIdConfiguration),
    database: false,
  },
});
