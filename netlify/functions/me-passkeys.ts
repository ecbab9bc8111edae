// GET /api/me/passkeys — the caller's live session and passkeys, 1 statement.
// POST /api/me/passkeys — the registration challenge taken with the caller's
// live session; the answer verified; the INSERT while the session is live.
// Only the first for a refusal.
import { addPasskey, listPasskeys } from '../../src/auth/passkeys/passkeys.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { mePasskeys } from '../../src/endpoints/me-passkeys.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/passkeys' };

export default route(config, mePasskeys, {
  GET: first(callerClaims, async (_req, _input, claims) => json(200, { items: await listPasskeys(claims) })),
  POST: first(callerClaims, async (req, input, claims) =>
    json(201, { passkey: await addPasskey({ claims, ...clientOf(req, input) }, input.body, relyingParty(input.url)) }),
  ),
});
