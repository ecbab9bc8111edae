// GET /.well-known/oauth-authorization-server — no database. The issuer
// metadata at RFC 8414's address, for clients that discover with it.
import { oauthAuthorizationServer } from '../../src/endpoints/oauth-authorization-server.ts';
import { issuerMetadata } from '../../src/http/issuer-metadata.ts';
import { cacheableJson } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { JWKS_MAX_AGE_SECONDS } from '../../src/signing/keys.ts';

export const config = { path: '/.well-known/oauth-authorization-server' };

export default route(config, oauthAuthorizationServer, {
  GET: (req) => cacheableJson(req, issuerMetadata(req), JWKS_MAX_AGE_SECONDS),
});
