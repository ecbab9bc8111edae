// GET /api/admin/service-keys — the actor and a page of keys in one statement.
// POST /api/admin/service-keys — the actor, the new key and the admin trail in one statement.
import { createServiceKey, listServiceKeys } from '../../src/auth/admin/service-keys.ts';
import { adminServiceKeys } from '../../src/endpoints/admin-service-keys.ts';
import { adminCredential } from '../../src/http/caller.ts';
import { requesterOf } from '../../src/http/client.ts';
import { json, listPage } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/admin/service-keys' };

export default route(config, adminServiceKeys, {
  GET: first(adminCredential, async (_req, { url, query }, credential) => listPage(url, await listServiceKeys(credential, query))),
  POST: first(adminCredential, async (req, input, credential) =>
    json(201, await createServiceKey(credential, input.body, requesterOf(req, input))),
  ),
});
