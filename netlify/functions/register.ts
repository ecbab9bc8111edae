// POST /api/register — 2 SQL statements (the per-address counter; user, profile
// and confirmation code in one INSERT); 4 with a mail provider, where the INSERT
// runs between BEGIN and a COMMIT sent once the provider accepted the e-mail
// (ROLLBACK and 503 when it refuses).
import { signUp } from '../../src/auth/signup/registration.ts';
import { register } from '../../src/endpoints/register.ts';
import { readBody } from '../../src/http/body.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/register' };

export default route(config, register, {
  POST: async (req, ctx) => {
    const { user, confirmation } = await signUp(await readBody(req), clientOf(req, ctx));
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
});
