// GET /api/auth/providers — no statement: the deploy's configuration.
import { providerList } from '../../src/auth/providers/providers.ts';
import { authProviders } from '../../src/endpoints/auth-providers.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/auth/providers' };

export default route(config, authProviders, {
  GET: () => json(200, { items: providerList() }),
});
