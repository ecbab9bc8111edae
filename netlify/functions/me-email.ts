// POST /api/me/email — 3 SQL statements (the per-address and per-e-mail
// limits; the session and the password's hash with the attempt counted; the
// counter released, the code issued and email_change_requested recorded);
// 2 when the password is refused (400, 401, 429) or the address is already the
// account's; 1 over the e-mail limits; 0 for a body that breaks a rule.
import { emailChangeSchema } from '../../src/auth/email-change/bodies.ts';
import { requestEmailChange } from '../../src/auth/email-change/request.ts';
import { parse } from '../../src/common/validate.ts';
import { meEmail } from '../../src/endpoints/me-email.ts';
import { readBody } from '../../src/http/body.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/me/email' };

export default route(config, meEmail, {
  POST: async (req, ctx) => {
    const claims = await callerClaims(req);
    const input = parse(emailChangeSchema, await readBody(req));
    const { pendingEmail, expiresAt, code } = await requestEmailChange(claims, input, clientOf(req, ctx));
    return json(202, { pendingEmail, expiresAt: expiresAt.toISOString(), ...(code !== undefined && { code }) });
  },
});
