// POST /api/me/passkeys/options — the caller's live session and passkeys, the
// registration challenge replaced by a new one, as one statement.
import { registrationOptions } from '../../src/auth/passkeys/passkeys.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { mePasskeysOptions } from '../../src/endpoints/me-passkeys-options.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/passkeys/options' };

export default route(config, mePasskeysOptions, {
  POST: first(callerClaims, async (_req, input, claims) =>
    json(200, { options: await registrationOptions(claims, relyingParty(input.url)) }),
  ),
});
