// GET or POST /api/register/confirm/{code} — the code consumed and the account
// confirmed at once, recorded.
import { confirmEmail } from '../../src/auth/signup/confirmation.ts';
import { registerConfirm } from '../../src/endpoints/register-confirm.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route, type Handler } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/register/confirm/:code' };

// GET lets the link in the e-mail work when opened; POST suits API clients.
const confirm: Handler<typeof registerConfirm.operations.GET> = async (req, input) => {
  const user = await confirmEmail(input.params.code, requesterOf(req, input));
  return json(200, { user: presentUser(user, { withEmail: true }) });
};

export default route(config, registerConfirm, { GET: confirm, POST: confirm });
