// GET /api/openapi.json — no database. The document is built on the first
// request of an instance, not at import.
import { openapi } from '../../src/endpoints/openapi.ts';
import { route } from '../../src/http/route.ts';
import { documentResponse } from '../../src/openapi/serve.ts';

export const config = { path: '/api/openapi.json' };

export default route(config, openapi, { GET: documentResponse });
