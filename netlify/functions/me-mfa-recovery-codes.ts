// POST /api/me/mfa/recovery-codes — the caller's session and hash with the
// password and the code counted (the step-up, as for the factor's removal);
// then the code taken, the old recovery codes deleted and ten new ones
// stored, the counters released. Only the first for a refusal; none without
// MFA_ENCRYPTION_KEY (503).
import { regenerateRecoveryCodes } from '../../src/auth/mfa/factor.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { meMfaRecoveryCodes } from '../../src/endpoints/me-mfa-recovery-codes.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/mfa/recovery-codes' };

export default route(config, meMfaRecoveryCodes, {
  POST: first(callerClaims, async (req, input, claims) => {
    return json(
      200,
      await regenerateRecoveryCodes({ claims, ...clientOf(req, input) }, input.body.password, stepUpFrom(input.body, input.url)),
    );
  }),
});
