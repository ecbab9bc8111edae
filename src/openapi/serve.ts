// GET /api/openapi.json: the document is built, serialized and hashed once per
// process; a client holding the current ETag gets a 304 without it.
import { cacheableJson } from '../http/respond.ts';
import { openApiDocument } from './document.ts';

/** A new deploy reaches caches within five minutes; revalidating with the ETag is cheap. */
const MAX_AGE_SECONDS = 300;

export function documentResponse(req: Request): Response {
  return cacheableJson(req, openApiDocument(), MAX_AGE_SECONDS);
}
