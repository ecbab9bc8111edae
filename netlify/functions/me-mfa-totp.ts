// POST /api/me/mfa/totp — the caller's session, hash, factor and passkeys with
// the password attempt counted on the login's counters (this address's, then
// across addresses; before the hash); then the pending factor UPSERT with the
// attempt given back and a passkey's step-up taken. Only the first for a
// 400, 401, 403, 409 or 429.
// DELETE /api/me/mfa/totp — the same read with the password and the code
// counted; then the code accepted by compare-and-set, the factor and its
// recovery codes deleted, the counters released. Only the first for a refusal.
// Both: none without MFA_ENCRYPTION_KEY (503).
import { removeFactor, startEnrolment } from '../../src/auth/mfa/factor.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { meMfaTotp } from '../../src/endpoints/me-mfa-totp.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/mfa/totp' };

export default route(config, meMfaTotp, {
  POST: first(callerClaims, async (req, input, claims) =>
    json(
      200,
      await startEnrolment({ claims, ...clientOf(req, input) }, input.body.password, stepUpFrom(input.body, input.url), input.url.host),
    ),
  ),
  DELETE: first(callerClaims, async (req, input, claims) => {
    await removeFactor({ claims, ...clientOf(req, input) }, input.body.password, stepUpFrom(input.body, input.url));
    return noContent();
  }),
});
