// POST /api/login/mfa/passkey/options — the login's ticket found, its
// account's passkeys listed and the ticket's passkey challenge replaced, as one
// statement. No session cookie is set, so no login-CSRF rule applies.
import { secondStepOptions } from '../../src/auth/passkeys/options.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { loginMfaPasskeyOptions } from '../../src/endpoints/login-mfa-passkey-options.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/login/mfa/passkey/options' };

export default route(config, loginMfaPasskeyOptions, {
  POST: async (_req, input) => json(200, { options: await secondStepOptions(input.body.mfaToken, relyingParty(input.url)) }),
});
