// GET /api/openapi.json: the one cacheable answer of the service. The body is
// serialized and hashed once per process; a client holding the current ETag
// gets a 304 without it.
import { createHash } from 'node:crypto';
import { openApiDocument } from './document.ts';

/** A new deploy reaches caches within five minutes; revalidating with the ETag is cheap. */
const CACHE_CONTROL = 'public, max-age=300';

let served: { body: string; etag: string } | undefined;

function current() {
  if (served === undefined) {
    const body = JSON.stringify(openApiDocument());
    served = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  }
  return served;
}

/** `If-None-Match` holds `*` or a list of ETags, weak ones (`W/"…"`) included. */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === etag;
  });
}

export function documentResponse(req: Request): Response {
  const { body, etag } = current();
  const headers = { ETag: etag, 'Cache-Control': CACHE_CONTROL };
  if (matches(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' } });
}
