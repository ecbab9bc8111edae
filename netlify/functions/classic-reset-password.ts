// POST /reset_password — the per-e-mail and per-address counters; then the
// reset token replaced. The same for an unknown e-mail (403).
// PUT /reset_password — find the token of that e-mail; then consume it, set
// the password and revoke every session at once. Only the first when the token
// is refused or the password contains the username; none when the body breaks
// a rule that needs no account.
import { requestPasswordReset } from '../../src/auth/reset/request.ts';
import { emailResetPolicy, updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { classicResetPassword } from '../../src/endpoints/classic-reset-password.ts';
import { restate } from '../../src/http/classic.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/reset_password' };

export default route(config, classicResetPassword, {
  POST: async (req, input) => {
    const { email } = input.body;
    const { reset } = await requestPasswordReset(email, clientOf(req, input), { requireAccount: true }).catch(
      restate({ not_found: { status: 403 } }),
    );
    // The token is in the body only under development delivery (src/auth/README.md, "Delivery and mail failures").
    return json(200, { email, ...(reset && { reset_token: reset.token }) });
  },
  PUT: {
    check: emailResetPolicy,
    handle: async (req, input) => {
      const { email, reset_token, new_password } = input.body;
      const { user } = await updatePasswordWithResetToken(
        { email, token: reset_token, password: new_password },
        clientOf(req, input),
      ).catch(
        restate({
          not_found: { status: 403 },
          code_expired: { status: 403 },
          validation_failed: { status: 400, fields: { password: 'new_password' } },
        }),
      );
      return json(200, { email: user.email, message: 'Password updated' });
    },
  },
});
