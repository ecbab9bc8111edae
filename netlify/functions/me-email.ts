// POST /api/me/email — the per-address and per-e-mail limits; the session and
// the password's hash with the attempt counted; the counter released, the
// code issued and email_change_requested recorded (on an account with a second
// factor, its code counted with the password and taken with the issue). The
// first two when the password or the code is refused (400, 401, 403, 429) or
// the address is already the account's;
// only the first over the e-mail limits; none for a body that breaks a rule.
import { requestEmailChange } from '../../src/auth/email-change/request.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { meEmail } from '../../src/endpoints/me-email.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/email' };

export default route(config, meEmail, {
  POST: first(callerClaims, async (req, input, claims) => {
    const { pendingEmail, expiresAt, code } = await requestEmailChange(
      claims,
      input.body,
      clientOf(req, input),
      stepUpFrom(input.body, input.url),
    );
    return json(202, { pendingEmail, expiresAt: expiresAt.toISOString(), ...(code !== undefined && { code }) });
  }),
});
