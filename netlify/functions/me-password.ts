// PUT /api/me/password — the session with the user's hash, the attempt
// counted on the account's login counters; then the new hash with the other
// sessions revoked and the attempt given back. Only the first when the
// passwords are refused or the account is over a login limit (429).
import { changePassword } from '../../src/auth/passwords/change.ts';
import { mePassword } from '../../src/endpoints/me-password.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/password' };

export default route(config, mePassword, {
  PUT: first(callerClaims, async (req, input, claims) => json(200, await changePassword(claims, input.body, clientOf(req, input)))),
});
