// PUT /api/me/password — 2 SQL statements (the session with the user's hash,
// the attempt counted on the account's login counters; the new hash with the
// other sessions revoked and the attempt given back), 1 when the passwords are
// refused or the account is over a login limit (429).
import { passwordChangeSchema } from '../../src/auth/passwords/rules.ts';
import { changePassword } from '../../src/auth/passwords/change.ts';
import { mePassword } from '../../src/endpoints/me-password.ts';
import { readBody } from '../../src/http/body.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/me/password' };

export default route(config, mePassword, {
  PUT: async (req, ctx) => {
    const claims = await callerClaims(req);
    const input = parse(passwordChangeSchema, await readBody(req));
    return json(200, await changePassword(claims, input, requesterOf(req, ctx)));
  },
});
