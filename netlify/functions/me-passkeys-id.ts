// PATCH /api/me/passkeys/{id} — the rename, with the caller's live session, 1 statement.
// DELETE /api/me/passkeys/{id} — the proof of ownership (password, step-up);
// then the DELETE with the code taken, while the session is live.
import { removePasskey, renamePasskey } from '../../src/auth/passkeys/passkeys.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { mePasskeysId } from '../../src/endpoints/me-passkeys-id.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/passkeys/:id' };

export default route(config, mePasskeysId, {
  PATCH: first(callerClaims, async (_req, input, claims) =>
    json(200, { passkey: await renamePasskey(claims, input.params.id, input.body.name) }),
  ),
  DELETE: first(callerClaims, async (req, input, claims) => {
    await removePasskey({ claims, ...clientOf(req, input) }, input.params.id, input.body.password, stepUpFrom(input.body, input.url));
    return noContent();
  }),
});
