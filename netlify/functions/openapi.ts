// GET /api/openapi.json — 0 SQL statements. The document is built on the first
// request of an instance, not at import.
import { documentResponse } from '../../src/openapi/serve.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/openapi.json' };

export default route(config.path, { GET: documentResponse });
