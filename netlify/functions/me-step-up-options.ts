// POST /api/me/step-up/options — the caller's live session and passkeys, the
// account's step-up challenge replaced by a new one, as one statement.
import { stepUpOptions } from '../../src/auth/passkeys/options.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { meStepUpOptions } from '../../src/endpoints/me-step-up-options.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/step-up/options' };

export default route(config, meStepUpOptions, {
  POST: first(callerClaims, async (_req, input, claims) => json(200, { options: await stepUpOptions(claims, relyingParty(input.url)) })),
});
