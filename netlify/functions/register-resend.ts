// POST /api/register/resend — 2 SQL statements (the per-e-mail and per-address
// counters; replace the code), whether or not the account exists.
import { resendConfirmation } from '../../src/auth/signup/confirmation.ts';
import { emailRequestSchema } from '../../src/auth/accounts/email.ts';
import { registerResend } from '../../src/endpoints/register-resend.ts';
import { readBody } from '../../src/http/body.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/register/resend' };

export default route(config, registerResend, {
  POST: async (req, ctx) => {
    const { email } = parse(emailRequestSchema, await readBody(req));
    const { confirmation } = await resendConfirmation(email, clientOf(req, ctx));
    return json(202, {
      message: 'If an unconfirmed account uses this address, a new confirmation code is on its way.',
      ...(confirmation && { confirmation: { code: confirmation.code, expiresAt: confirmation.expiresAt.toISOString() } }),
    });
  },
});
