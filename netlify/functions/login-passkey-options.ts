// POST /api/login/passkey/options — one hit on the address's login counter
// and, under its limit, a challenge, as one statement.
import { signInOptions } from '../../src/auth/passkeys/sign-in.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { loginPasskeyOptions } from '../../src/endpoints/login-passkey-options.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/login/passkey/options' };

export default route(config, loginPasskeyOptions, {
  POST: async (req, input) => json(200, { options: await signInOptions(requesterOf(req, input), relyingParty(input.url)) }),
});
