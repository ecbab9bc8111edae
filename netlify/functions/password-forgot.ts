// POST /api/password/forgot — 2 SQL statements (the per-e-mail and per-address
// counters; replace the reset token), whether or not the account exists.
import { emailRequestSchema } from '../../src/auth/accounts/email.ts';
import { requestPasswordReset } from '../../src/auth/reset/request.ts';
import { passwordForgot } from '../../src/endpoints/password-forgot.ts';
import { readBody } from '../../src/http/body.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';

export const config = { path: '/api/password/forgot' };

export default route(config, passwordForgot, {
  POST: async (req, ctx) => {
    const { email } = parse(emailRequestSchema, await readBody(req));
    const { reset } = await requestPasswordReset(email, clientOf(req, ctx));
    return json(202, {
      message: 'If an account uses this address, a password reset token is on its way.',
      ...(reset && { token: reset.token, expiresAt: reset.expiresAt.toISOString() }),
    });
  },
});
