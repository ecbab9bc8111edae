// POST /api/me/mfa/totp/confirm — 2 SQL statements: the caller's session and
// pending factor with the code attempt counted (before it is checked); then
// the factor confirmed (if still that secret), the ten recovery codes
// inserted, the counter cleared and, unless revokeOtherSessions is false, the
// other sessions deleted. 1 for a 400, 401, 404, 409 or 429; 0 without
// MFA_ENCRYPTION_KEY (503).
import { confirmSchema } from '../../src/auth/mfa/bodies.ts';
import { confirmEnrolment } from '../../src/auth/mfa/factor.ts';
import { meMfaTotpConfirm } from '../../src/endpoints/me-mfa-totp-confirm.ts';
import { readBody } from '../../src/http/body.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/me/mfa/totp/confirm' };

export default route(config, meMfaTotpConfirm, {
  POST: async (req, ctx) => {
    const claims = await callerClaims(req);
    const { code, revokeOtherSessions } = parse(confirmSchema, await readBody(req));
    return json(200, await confirmEnrolment({ claims, ...requesterOf(req, ctx) }, code, revokeOtherSessions));
  },
});
