// GET or POST /api/me/email/confirm/{code} — 1 SQL statement (the code
// consumed, the address moved, the account's other sessions ended, its reset
// tokens retired and email_changed recorded, at once).
import { secretSchema } from '../../src/auth/codes/tokens.ts';
import { confirmEmailChange } from '../../src/auth/email-change/confirm.ts';
import { parse } from '../../src/common/validate.ts';
import { meEmailConfirm } from '../../src/endpoints/me-email-confirm.ts';
import { optionalCallerClaims } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route, type Handler } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/me/email/confirm/:code' };

// GET lets the link in the e-mail work when opened; POST suits API clients.
const confirm: Handler = async (req, ctx) => {
  const code = parse(secretSchema, ctx.params.code, 'code');
  const user = await confirmEmailChange(code, await optionalCallerClaims(req), requesterOf(req, ctx));
  return json(200, { user: presentUser(user, { withEmail: true }) });
};

export default route(config, meEmailConfirm, { GET: confirm, POST: confirm });
