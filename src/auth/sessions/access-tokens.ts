// Access tokens (RFC 9068): short-lived JWTs that name the caller and their
// session, for other services to verify with the JWKS and no database. They
// are not session tokens: `typ: at+jwt` and an audience set them apart, and no
// route here accepts one. A verifier cannot see a logout, so they live minutes.
// Every claim RFC 9068 requires is there, so a strict verifier (oauth4webapi's
// validateJwtAccessToken) accepts them; `scope` is left out, as no request
// names one and the token stands for the whole account (src/signing/README.md).
import { randomUUID } from 'node:crypto';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { currentKeys } from '../../signing/current.ts';
import { signJwt } from '../../signing/jwt.ts';
import { assuranceLevel, type SessionUser } from './sessions.ts';

export interface AccessToken {
  accessToken: string;
  /** Seconds until `exp`. */
  expiresIn: number;
}

/**
 * An access token for the caller of a live session, from `issuer` (JWT_ISSUER,
 * else the site's address) to JWT_AUDIENCE (else the issuer). It expires after
 * ACCESS_TOKEN_TTL, or with the session's absolute end if that comes first,
 * and says how the session was authenticated (`amr`, `acr`).
 * 404 without an ES256 key: a shared secret would let every verifier forge tokens.
 */
export async function issueAccessToken(caller: SessionUser, issuer: string): Promise<AccessToken> {
  const keys = await currentKeys();
  if (keys.signer === undefined) throw new HttpError('access_tokens_unavailable');
  const iat = Math.floor(now().getTime() / 1000);
  const exp = Math.min(iat + Math.floor(setting('accessTokenTtlMs') / 1000), Math.floor(caller.sessionExpiresAt.getTime() / 1000));
  const accessToken = await signJwt(keys, 'access', {
    iss: issuer,
    aud: setting('jwtAudience') ?? issuer,
    sub: String(caller.user.id),
    sid: caller.sessionId,
    username: caller.user.username,
    // How the session was authenticated, so a backend can demand a second factor (acr `aal2`):
    // the same words the API answers as `aal` (src/signing/README.md says why not a URI).
    amr: caller.session.amr,
    acr: assuranceLevel(caller.session.amr),
    iat,
    exp,
    jti: randomUUID(),
    // The requesting client: there are no registered OAuth clients, only this
    // service's own (the web pages, apps holding a session), named by the issuer.
    client_id: issuer,
  });
  return { accessToken, expiresIn: exp - iat };
}
