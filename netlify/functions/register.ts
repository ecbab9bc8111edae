// POST /api/register — the per-address counter; then user, profile and
// confirmation code in one INSERT. With a mail provider the INSERT runs
// between BEGIN and a COMMIT sent once the provider accepted the e-mail
// (ROLLBACK and 503 when it refuses), 4 in all.
import { registrationPolicy, signUp } from '../../src/auth/signup/registration.ts';
import { register } from '../../src/endpoints/register.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/register' };

export default route(config, register, {
  POST: {
    check: registrationPolicy,
    handle: async (req, input) => {
      const { user, confirmation } = await signUp(input.body, clientOf(req, input));
      return json(201, {
        user: presentUser(user, { withEmail: true }),
        ...(confirmation && {
          confirmation: {
            expiresAt: confirmation.expiresAt.toISOString(),
            ...(confirmation.code !== undefined && { code: confirmation.code }),
          },
        }),
      });
    },
  },
});
