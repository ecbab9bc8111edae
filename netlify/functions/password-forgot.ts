// POST /api/password/forgot — the per-e-mail and per-address counters; then
// the reset token replaced, whether or not the account exists.
import { requestPasswordReset } from '../../src/auth/reset/request.ts';
import { passwordForgot } from '../../src/endpoints/password-forgot.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/password/forgot' };

export default route(config, passwordForgot, {
  POST: async (req, input) => {
    const { reset } = await requestPasswordReset(input.body.email, clientOf(req, input));
    return json(202, {
      message: 'If an account uses this address, a password reset token is on its way.',
      ...(reset && { token: reset.token, expiresAt: reset.expiresAt.toISOString() }),
    });
  },
});
