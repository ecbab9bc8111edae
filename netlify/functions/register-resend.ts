// POST /api/register/resend — the per-e-mail and per-address counters; then
// the code replaced, whether or not the account exists.
import { resendConfirmation } from '../../src/auth/signup/confirmation.ts';
import { registerResend } from '../../src/endpoints/register-resend.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/register/resend' };

export default route(config, registerResend, {
  POST: async (req, input) => {
    const { confirmation } = await resendConfirmation(input.body.email, clientOf(req, input));
    return json(202, {
      message: 'If an unconfirmed account uses this address, a new confirmation code is on its way.',
      ...(confirmation && { confirmation: { code: confirmation.code, expiresAt: confirmation.expiresAt.toISOString() } }),
    });
  },
});
