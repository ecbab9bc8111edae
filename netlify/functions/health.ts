// GET /api/health — one round trip to the database.
import { health } from '../../src/endpoints/health.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { checkHealth } from '../../src/system/health.ts';

export const config = { path: '/api/health' };

export default route(config, health, {
  GET: async () => json(200, await checkHealth()),
});
