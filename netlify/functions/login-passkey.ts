// POST /api/login/passkey — the challenge taken and the passkey found with its
// account (a failed login recorded); the assertion verified; then the sign
// counter moved by compare-and-set with the session INSERT. Only the first for
// a 401; none for a form posted from another origin CORS_ALLOWED_ORIGINS does
// not trust (403, login CSRF: it sets the session cookie).
import { signInWithPasskey } from '../../src/auth/passkeys/sign-in.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { loginPasskey } from '../../src/endpoints/login-passkey.ts';
import { assertLoginOrigin } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { loggedIn } from '../../src/http/logged-in.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/login/passkey' };

export default route(config, loginPasskey, {
  POST: first(assertLoginOrigin, async (req, input) =>
    loggedIn(req, await signInWithPasskey(input.body.response, requesterOf(req, input), relyingParty(input.url))),
  ),
});
