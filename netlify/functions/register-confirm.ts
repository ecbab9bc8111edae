// GET or POST /api/register/confirm/{code} — 1 SQL statement (consume the code
// and confirm the account at once, recording it).
import { confirmEmail } from '../../src/auth/signup/confirmation.ts';
import { secretSchema } from '../../src/auth/codes/tokens.ts';
import { registerConfirm } from '../../src/endpoints/register-confirm.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route, type Handler } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/register/confirm/:code' };

// GET lets the link in the e-mail work when opened; POST suits API clients.
const confirm: Handler = async (req, ctx) => {
  const user = await confirmEmail(parse(secretSchema, ctx.params.code, 'code'), requesterOf(req, ctx));
  return json(200, { user: presentUser(user, { withEmail: true }) });
};

export default route(config, registerConfirm, { GET: confirm, POST: confirm });
