// GET /.well-known/openid-configuration — no database. Lets a verifier
// configured with the issuer alone find the keys (OpenID Connect Discovery's
// location, RFC 8414's two members that apply here).
import { openidConfiguration } from '../../src/endpoints/openid-configuration.ts';
import { issuerOf, publicBaseUrl } from '../../src/http/client.ts';
import { cacheableJson } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { JWKS_MAX_AGE_SECONDS } from '../../src/signing/keys.ts';

export const config = { path: '/.well-known/openid-configuration' };

export default route(config, openidConfiguration, {
  GET: (req) =>
    cacheableJson(req, { issuer: issuerOf(req), jwks_uri: `${publicBaseUrl(req)}/.well-known/jwks.json` }, JWKS_MAX_AGE_SECONDS),
});
