// GET /api/health — 1 SQL statement.
import { checkHealth } from '../../src/system/health.ts';
import { route } from '../../src/http/route.ts';
import { json } from '../../src/http/respond.ts';

export const config = { path: '/api/health' };

export default route(config.path, {
  GET: async () => json(200, await checkHealth()),
});
