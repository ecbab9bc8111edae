// GET or POST /api/me/email/confirm/{code} — the code consumed, the address
// moved, the account's other sessions ended, its reset tokens retired and
// email_changed recorded, all at once.
import { confirmEmailChange } from '../../src/auth/email-change/confirm.ts';
import { meEmailConfirm } from '../../src/endpoints/me-email-confirm.ts';
import { optionalCallerClaims } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route, type Handler } from '../../src/http/route.ts';
import { presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/me/email/confirm/:code' };

// GET lets the link in the e-mail work when opened; POST suits API clients.
const confirm: Handler<typeof meEmailConfirm.operations.GET> = async (req, input) => {
  const user = await confirmEmailChange(input.params.code, await optionalCallerClaims(req), clientOf(req, input));
  return json(200, { user: presentUser(user, { withEmail: true }) });
};

export default route(config, meEmailConfirm, { GET: confirm, POST: confirm });
