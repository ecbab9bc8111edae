// DELETE /api/admin/users/{id}/passkeys — the actor, the user and the admin's own code counted;
// then the code taken, the passkeys deleted, the user's sessions ended and both trails; then the notice.
import { removeUserCredentials } from '../../src/auth/admin/factors.ts';
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { adminUsersIdPasskeys } from '../../src/endpoints/admin-users-id-passkeys.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { clientOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/users/:id/passkeys' };

export default route(config, adminUsersIdPasskeys, {
  DELETE: first(adminCredential, async (req, input, credential) =>
    json(
      200,
      await removeUserCredentials(
        credential,
        input.params.id,
        { what: 'passkeys', passkeyId: input.body.passkeyId },
        stepUp(input.body.code),
        clientOf(req, input),
      ),
    ),
  ),
});
