// POST /api/password/reset — 2 SQL statements (find the token; consume it, set
// the password and revoke every session at once); 1 when the token is unknown,
// used or expired, or the password contains the username or e-mail; 0 when the
// body breaks a rule that needs no account.
import { resetSchema, updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { passwordReset } from '../../src/endpoints/password-reset.ts';
import { readBody } from '../../src/http/body.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parseAsync } from '../../src/common/validate.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/password/reset' };

export default route(config, passwordReset, {
  POST: async (req, ctx) => {
    const input = await parseAsync(resetSchema, await readBody(req));
    const { user, revokedSessions } = await updatePasswordWithResetToken(input, requesterOf(req, ctx));
    return json(200, { user: presentUser(user, { withEmail: true }), revokedSessions });
  },
});
