// POST /api/login — on every path: the user with the attempt counted on both
// failure counters (before any hash); then, for the right password, the
// session INSERT with the attempt released (and a hash upgrade folded in).
// Only the first for a 401 or 429; both for a 403 (the release, no session;
// for an account with a second factor, the release with the mfa_required
// challenge); none for a password over the maximum length or a form posted
// from another origin CORS_ALLOWED_ORIGINS does not trust (403, login CSRF).
import { checkLogin } from '../../src/auth/login/login.ts';
import { login } from '../../src/endpoints/login.ts';
import { assertLoginOrigin } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { loggedIn } from '../../src/http/logged-in.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/login' };

export default route(config, login, {
  POST: first(assertLoginOrigin, async (req, input) => {
    const by = requesterOf(req, input);
    return loggedIn(req, await checkLogin(input.body, by.ip, by.userAgent));
  }),
});
