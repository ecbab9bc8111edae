// GET /api/me — the session, the user and the profile together.
// DELETE /api/me — the session and the password's hash with the attempt
// counted (and the second factor's code, on an account with one); then the
// code taken and the user deleted, its rows going with it by cascade, with the
// account_deleted event. Only the first when refused (401, 403, 429, wrong
// password or code); none for a body that breaks a rule.
import { deleteAccount } from '../../src/auth/accounts/deletion.ts';
import { stepUpFrom } from '../../src/auth/passkeys/step-up.ts';
import { me } from '../../src/endpoints/me.ts';
import { authenticate, callerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { clearedSessionCookie } from '../../src/http/cookies.ts';
import { json, noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';
import { presentAccountUser, presentProfile } from '../../src/users/present.ts';

export const config = { path: '/api/me' };

export default route(config, me, {
  GET: async (req) => {
    const { user, emailVerifiedAt, totpEnabled, profile } = await authenticate(req, { withProfile: true });
    return json(200, {
      user: presentAccountUser({ ...user, email_verified_at: emailVerifiedAt, totp_enabled: totpEnabled }),
      profile: presentProfile(profile),
    });
  },
  DELETE: first(callerClaims, async (req, input, claims) => {
    await deleteAccount(claims, input.body.password, clientOf(req, input), stepUpFrom(input.body, input.url));
    return noContent({ 'Set-Cookie': clearedSessionCookie(req) });
  }),
});
