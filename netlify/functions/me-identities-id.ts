// DELETE /api/me/identities/{id} — the proof of ownership (password, step-up;
// 409 last_way_in for an account without a password); then the DELETE with
// the code taken, while the session is live.
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { unlinkIdentity } from '../../src/auth/providers/identities.ts';
import { meIdentitiesId } from '../../src/endpoints/me-identities-id.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/identities/:id' };

export default route(config, meIdentitiesId, {
  DELETE: first(callerClaims, async (req, input, claims) => {
    await unlinkIdentity({ claims, ...clientOf(req, input) }, input.params.id, input.body.password, stepUp(input.body.code));
    return noContent();
  }),
});
