// POST /api/login — at most 2 SQL statements on every path: the user with the
// attempt counted on both failure counters (before any hash); then, for the
// right password, the session INSERT with the attempt released (and a hash
// upgrade folded in). 1 for a 401 or 429; 2 for a 403 (the release, no
// session; for an account with a second factor, the release with the
// mfa_required challenge); 0 for a password over the maximum length or a form
// posted from another origin (403, login CSRF).
import { loginSchema } from '../../src/auth/login/bodies.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { login } from '../../src/endpoints/login.ts';
import { readBody } from '../../src/http/body.ts';
import { assertSameOriginLogin } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { loggedIn } from '../../src/http/logged-in.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/login' };

export default route(config, login, {
  POST: async (req, ctx) => {
    assertSameOriginLogin(req);
    const by = requesterOf(req, ctx);
    return loggedIn(req, await checkLogin(parse(loginSchema, await readBody(req)), by.ip, by.userAgent));
  },
});
