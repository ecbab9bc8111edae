// POST /api/login/mfa — 2 SQL statements: one try of the mfaToken spent and
// the account's second-factor counter counted (before the code is checked);
// then the code accepted by compare-and-set, the token used up and the session
// INSERT. 1 for a 401 or 429; 0 without MFA_ENCRYPTION_KEY (503) or for a form
// posted from another origin (403, login CSRF: it sets the session cookie).
import { secondStepSchema } from '../../src/auth/mfa/bodies.ts';
import { completeSecondStep } from '../../src/auth/mfa/second-step.ts';
import { loginMfa } from '../../src/endpoints/login-mfa.ts';
import { readBody } from '../../src/http/body.ts';
import { assertSameOriginLogin } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { loggedIn } from '../../src/http/logged-in.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/login/mfa' };

export default route(config, loginMfa, {
  POST: async (req, ctx) => {
    assertSameOriginLogin(req);
    return loggedIn(req, await completeSecondStep(parse(secondStepSchema, await readBody(req)), requesterOf(req, ctx)));
  },
});
