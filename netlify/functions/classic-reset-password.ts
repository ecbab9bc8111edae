// POST /reset_password — 2 SQL statements (the per-e-mail and per-address
// counters; replace the reset token), for an unknown e-mail (403) too.
// PUT /reset_password — 2 SQL statements (find the token of that e-mail;
// consume it, set the password and revoke every session at once); 1 when the
// token is refused or the password contains the username; 0 when the body
// breaks a rule that needs no account.
import { emailRequestSchema } from '../../src/auth/accounts/email.ts';
import { requestPasswordReset } from '../../src/auth/reset/request.ts';
import { emailResetSchema, updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { classicResetPassword } from '../../src/endpoints/classic-reset-password.ts';
import { readBody } from '../../src/http/body.ts';
import { restate } from '../../src/http/classic.ts';
import { clientOf, requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse, parseAsync } from '../../src/common/validate.ts';

export const config = { path: '/reset_password' };

export default route(config, classicResetPassword, {
  POST: async (req, ctx) => {
    const { email } = parse(emailRequestSchema, await readBody(req));
    const { reset } = await requestPasswordReset(email, clientOf(req, ctx), { requireAccount: true }).catch(
      restate({ not_found: { status: 403 } }),
    );
    // The token is in the body only under development delivery (src/auth/README.md, "Delivery and mail failures").
    return json(200, { email, ...(reset && { reset_token: reset.token }) });
  },
  PUT: async (req, ctx) => {
    const input = await parseAsync(emailResetSchema, await readBody(req));
    const { user } = await updatePasswordWithResetToken(input, requesterOf(req, ctx)).catch(
      restate({
        not_found: { status: 403 },
        code_expired: { status: 403 },
        validation_failed: { status: 400, fields: { password: 'new_password' } },
      }),
    );
    return json(200, { email: user.email, message: 'Password updated' });
  },
});
