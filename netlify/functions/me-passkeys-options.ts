// POST /api/me/passkeys/options — the caller's live session, hash and passkeys
// with the password attempt and the step-up counted; then, while the session
// is live, the step-up taken, the attempt given back and the registration
// challenge replaced by a new one. Only the first for a refusal.
import { registrationOptions } from '../../src/auth/passkeys/passkeys.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { mePasskeysOptions } from '../../src/endpoints/me-passkeys-options.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/passkeys/options' };

export default route(config, mePasskeysOptions, {
  POST: first(callerClaims, async (req, input, claims) => {
    const rp = relyingParty(input.url);
    const caller = { claims, ...clientOf(req, input) };
    return json(200, { options: await registrationOptions(caller, input.body.password, stepUpFrom(input.body, input.url), rp) });
  }),
});
