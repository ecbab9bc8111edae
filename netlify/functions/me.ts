// GET /api/me — 1 SQL statement (session, user and profile together).
// DELETE /api/me — 2 SQL statements (the session and the password's hash with
// the attempt counted; the user deleted, its rows going with it by cascade,
// with the account_deleted event); 1 when refused (401, 429, wrong password);
// 0 for a body that breaks a rule.
import { deleteAccount } from '../../src/auth/accounts/deletion.ts';
import { passwordProofSchema } from '../../src/auth/passwords/rules.ts';
import { parse } from '../../src/common/validate.ts';
import { me } from '../../src/endpoints/me.ts';
import { readBody } from '../../src/http/body.ts';
import { authenticate, callerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { clearedSessionCookie } from '../../src/http/cookies.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { presentProfile, presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/me' };

export default route(config, me, {
  GET: async (req) => {
    const { user, profile } = await authenticate(req, { withProfile: true });
    return json(200, { user: presentUser(user, { withEmail: true }), profile: presentProfile(profile) });
  },
  DELETE: async (req, ctx) => {
    const claims = await callerClaims(req);
    const { password } = parse(passwordProofSchema, await readBody(req));
    await deleteAccount(claims, password, requesterOf(req, ctx));
    return noContent({ 'Set-Cookie': clearedSessionCookie(req) });
  },
});
