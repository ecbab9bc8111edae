// POST /users — the per-address registration counter; the free username
// derived from the e-mail; user and profile in one INSERT. None when the body
// breaks a rule.
import { emailSignUpPolicy, signUpWithEmail } from '../../src/auth/signup/from-email.ts';
import { classicUsers } from '../../src/endpoints/classic-users.ts';
import { restate } from '../../src/http/classic.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/users' };

export default route(config, classicUsers, {
  POST: {
    check: emailSignUpPolicy,
    handle: async (req, input) => {
      const user = await signUpWithEmail(input.body, clientOf(req, input)).catch(
        restate({ email_taken: { status: 400, message: 'email already registered' } }),
      );
      return json(200, { email: user.email, message: 'user created' });
    },
  },
});
