// GET /.well-known/openid-configuration — no database. Lets a verifier
// configured with the issuer alone find the keys (OpenID Connect Discovery's
// location; the RFC 8414 metadata that applies here).
import { openidConfiguration } from '../../src/endpoints/openid-configuration.ts';
import { issuerMetadata } from '../../src/http/issuer-metadata.ts';
import { cacheableJson } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { JWKS_MAX_AGE_SECONDS } from '../../src/signing/keys.ts';

export const config = { path: '/.well-known/openid-configuration' };

export default route(config, openidConfiguration, {
  GET: (req) => cacheableJson(req, issuerMetadata(req), JWKS_MAX_AGE_SECONDS),
});
