// The issuer's metadata (RFC 8414), served at both addresses verifiers look
// for it: /.well-known/oauth-authorization-server and OpenID Connect
// Discovery's /.well-known/openid-configuration. It says only what is true of
// this service (src/signing/README.md, "Discovery"): it issues access tokens
// for other services to verify, but it is no OAuth authorization server a
// client could run a grant against.
import { issuerOf, publicBaseUrl } from './client.ts';

export function issuerMetadata(req: Request) {
  return {
    issuer: issuerOf(req),
    jwks_uri: `${publicBaseUrl(req)}/.well-known/jwks.json`,
    // REQUIRED by both specifications; no authorization endpoint, so no response type.
    response_types_supported: [],
    // Stated, since an absent list means authorization_code and implicit (RFC 8414, section 2).
    grant_types_supported: [],
    // `sub` is the account's id, the same for every verifier.
    subject_types_supported: ['public'],
  };
}
