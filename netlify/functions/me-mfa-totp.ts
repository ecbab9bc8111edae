// POST /api/me/mfa/totp — 2 SQL statements: the caller's session, hash and
// factor with the password attempt counted on the login's counters (this
// address's, then across addresses; before the hash); then the pending factor
// UPSERT with the attempt given back. 1 for a 400, 401, 409 or 429.
// DELETE /api/me/mfa/totp — 2 SQL statements: the same read with the password
// and the code counted; then the code accepted by compare-and-set, the factor
// and its recovery codes deleted, the counters released. 1 for a refusal.
// Both: 0 without MFA_ENCRYPTION_KEY (503).
import { disableSchema, enrolSchema } from '../../src/auth/mfa/bodies.ts';
import { removeFactor, startEnrolment } from '../../src/auth/mfa/factor.ts';
import { meMfaTotp } from '../../src/endpoints/me-mfa-totp.ts';
import { readBody } from '../../src/http/body.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/me/mfa/totp' };

export default route(config, meMfaTotp, {
  POST: async (req, ctx) => {
    const claims = await callerClaims(req);
    const { password } = parse(enrolSchema, await readBody(req));
    return json(200, await startEnrolment({ claims, ...requesterOf(req, ctx) }, password, new URL(req.url).host));
  },
  DELETE: async (req, ctx) => {
    const claims = await callerClaims(req);
    const { password, code } = parse(disableSchema, await readBody(req));
    await removeFactor({ claims, ...requesterOf(req, ctx) }, password, code);
    return noContent();
  },
});
