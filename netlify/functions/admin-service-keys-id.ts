// DELETE /api/admin/service-keys/{id} — the actor, the revocation and the admin trail in one statement.
import { revokeServiceKey } from '../../src/auth/admin/service-keys.ts';
import { adminServiceKeysId } from '../../src/endpoints/admin-service-keys-id.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { noContent } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/service-keys/:id' };

export default route(config, adminServiceKeysId, {
  DELETE: first(adminCredential, async (req, input, credential) => {
    await revokeServiceKey(credential, input.params.id, requesterOf(req, input));
    return noContent();
  }),
});
