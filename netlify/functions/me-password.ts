// PUT /api/me/password — the session with the user's hash, the attempt
// counted on the account's login counters (and, on an account with a second
// factor, its code on the factor's); then the new hash with the other
// sessions revoked, the code taken and the attempt given back. Only the first
// when the passwords or the code are refused, no code came for the factor
// (403) or the account is over a limit (429).
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { changePassword } from '../../src/auth/passwords/change.ts';
import { mePassword } from '../../src/endpoints/me-password.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/password' };

export default route(config, mePassword, {
  PUT: first(callerClaims, async (req, input, claims) =>
    json(200, await changePassword(claims, input.body, clientOf(req, input), stepUpFrom(input.body, input.url))),
  ),
});
