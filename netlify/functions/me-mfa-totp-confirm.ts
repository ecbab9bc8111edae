// POST /api/me/mfa/totp/confirm — the caller's session and pending factor with
// the code attempt counted (before it is checked); then the factor confirmed
// (if still that secret), the ten recovery codes inserted, the counter cleared
// and, unless revokeOtherSessions is false, the other sessions deleted. Only
// the first for a 400, 401, 404, 409 or 429; none without MFA_ENCRYPTION_KEY (503).
import { confirmEnrolment } from '../../src/auth/mfa/factor.ts';
import { meMfaTotpConfirm } from '../../src/endpoints/me-mfa-totp-confirm.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/mfa/totp/confirm' };

export default route(config, meMfaTotpConfirm, {
  POST: first(callerClaims, async (req, input, claims) => {
    const { code, revokeOtherSessions } = input.body;
    return json(200, await confirmEnrolment({ claims, ...clientOf(req, input) }, code, revokeOtherSessions));
  }),
});
