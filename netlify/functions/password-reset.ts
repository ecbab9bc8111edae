// POST /api/password/reset — find the token; then consume it, set the
// password and revoke every session at once. Only the first when the token is
// unknown, used or expired, or the password contains the username or e-mail;
// none when the body breaks a rule that needs no account.
import { resetPolicy, updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { passwordReset } from '../../src/endpoints/password-reset.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/password/reset' };

export default route(config, passwordReset, {
  POST: {
    check: resetPolicy,
    handle: async (req, input) => {
      const { user, revokedSessions } = await updatePasswordWithResetToken(input.body, clientOf(req, input));
      return json(200, { user: presentUser(user, { withEmail: true }), revokedSessions });
    },
  },
});
