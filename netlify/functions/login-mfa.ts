// POST /api/login/mfa — one try of the mfaToken spent and the account's
// second-factor counter counted (before the code is checked); then the code
// accepted by compare-and-set, the token used up and the session INSERT. With
// a passkey instead: the try spent with the token's passkey challenge taken;
// then the counter's compare-and-set, the token used up and the session. Only
// the first for a 401 or 429; none without MFA_ENCRYPTION_KEY (503) or for a
// form posted from another origin CORS_ALLOWED_ORIGINS does not trust (403,
// login CSRF: it sets the session cookie, which a trusted origin never gets).
import { completeSecondStep } from '../../src/auth/mfa/second-step.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { completePasskeyStep } from '../../src/auth/passkeys/second-step.ts';
import { loginMfa } from '../../src/endpoints/login-mfa.ts';
import { assertLoginOrigin } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { loggedIn } from '../../src/http/logged-in.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/login/mfa' };

export default route(config, loginMfa, {
  POST: first(assertLoginOrigin, async (req, input) => {
    const { mfaToken, code, passkey } = input.body;
    const by = clientOf(req, input);
    return loggedIn(
      req,
      passkey === undefined
        ? await completeSecondStep({ mfaToken, code: code! }, by)
        : await completePasskeyStep({ mfaToken, passkey }, by, relyingParty(input.url)),
    );
  }),
});
